import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { sortItems } from '../../../src/domain/read.ts'
import { ann, bob, image, push } from '../helpers.ts'
import { countTransactions, itemIn, onlyOnce, pushAll, recordingOpens, replicaOf, sharded, statesOf } from './helpers.ts'

/** A project of 4 shards with an item (and a label) in shards 0 and 1, and a first version. */
const versioned = async () => {
  const h = sharded(4)
  const cls = S.addClass(h.p, { name: 'car' })
  const a = await itemIn(h, 0)
  const b = await itemIn(h, 1)
  const label = await S.addLabel(h.p, a, { classId: cls, bbox: [0, 0, 10, 10] }, ann)
  await S.addLabel(h.p, b, { classId: cls, bbox: [5, 5, 10, 10] }, ann)
  const v1 = await S.createVersion(h.p, { name: 'v1' }, ann)
  return { h, cls, a, b, label, v1, atV1: await S.readProject(h.p) }
}

describe('createVersion', () => {
  it('gives every shard a record in the first cut, and sums the counts over the shards', async () => {
    const { h, v1, atV1 } = await versioned()
    expect(S.cutShards(h.p, v1.id)).toEqual([v1.id, v1.id, v1.id, v1.id])
    h.shards.forEach((doc) => expect(D.maps(doc).versions.get(v1.id)).toMatchObject({ name: 'v1', kind: 'checkpoint', base: null }))
    const labels = atV1.items.reduce((n, i) => n + i.labels.length, 0)
    expect(v1.stats).toMatchObject({ items: atV1.items.length, labels, classes: 1, tags: 0, runs: 0 })
    const perShard = h.shards.map((doc) => D.maps(doc).versions.get(v1.id)?.stats.items ?? -1)
    expect(perShard.reduce((x, y) => x + y, 0)).toBe(atV1.items.length)
    expect(S.listVersions(h.p)).toEqual([v1])
    expect(S.lastCheckpoint(h.p)).toEqual(v1)
  })

  it('reuses the previous record of every shard that did not change: one new record, one transaction per changed document', async () => {
    const { h, a, v1 } = await versioned()
    await S.setTag(h.p, a, 'night', true)
    const counts = countTransactions(h)
    const v2 = await S.createVersion(h.p, { name: 'v2' }, ann)
    expect(counts).toEqual(onlyOnce(h, true, [0]))
    expect(S.cutShards(h.p, v2.id)).toEqual([v2.id, v1.id, v1.id, v1.id])
    expect(h.shards.map((doc) => D.maps(doc).versions.has(v2.id))).toEqual([true, false, false, false])
    expect(D.maps(h.shards[0] as Y.Doc).versions.get(v2.id)).toMatchObject({ base: v1.id, stats: { tags: 1, added: 1 } })
    expect(v2.stats).toMatchObject({ items: v1.stats.items, labels: v1.stats.labels, tags: 1, added: 1, removed: 0, changed: 0 })
    // A change made and undone by hand counts as none: the shard keeps its record.
    await S.setTag(h.p, a, 'night', false)
    await S.setTag(h.p, a, 'night', true)
    S.addClass(h.p, { name: 'truck' })
    const v3 = await S.createVersion(h.p, { name: 'v3' }, ann)
    expect(S.cutShards(h.p, v3.id)).toEqual([v2.id, v1.id, v1.id, v1.id])
  })

  it('refuses with nothing changed in the root or any shard, naming the last version, and writes nothing', async () => {
    const { h } = await versioned()
    const before = statesOf(h)
    await expect(S.createVersion(h.p, { name: 'v2' }, ann)).rejects.toThrow(new D.NoChangesError('No changes since version "v1"'))
    await expect(S.createVersion(h.p, { name: ' ' }, ann)).rejects.toThrow(/Version name must not be empty/)
    expect(statesOf(h)).toEqual(before)
  })

  it('refuses while a shard is not complete on this replica, saying which, for every kind of cut', async () => {
    const { h, a, v1 } = await versioned()
    await S.setTag(h.p, a, 'x', true)
    const behind = { root: h.root, shards: S.memoryShards(h.shards, (i) => i !== 2) }
    const before = statesOf(h)
    const refusal = S.createVersion(behind, { name: 'v2' }, ann)
    await expect(refusal).rejects.toThrow(D.ShardsIncompleteError)
    await expect(refusal).rejects.toThrow('1 of 4 shards have not fully reached this device yet (shard 2); a version can be made once they have synced')
    await expect(refusal).rejects.toMatchObject({ missing: [2] })
    await expect(refusal).rejects.toBeInstanceOf(D.VersionNotAvailableError)
    await expect(S.discardChanges(behind, ann)).rejects.toThrow(D.ShardsIncompleteError)
    await expect(S.restoreVersion(behind, v1.id, ann)).rejects.toThrow(D.ShardsIncompleteError)
    expect(statesOf(h)).toEqual(before)
    expect((await S.createVersion(h.p, { name: 'v2' }, ann)).name).toBe('v2')
  })

  it('keeps both versions when two replicas cut the same name offline', async () => {
    const { h, a, b } = await versioned()
    const other = replicaOf(h)
    await S.setTag(h.p, a, 'mine', true)
    await S.setTag(other.p, b, 'theirs', true)
    const mine = await S.createVersion(h.p, { name: 'same' }, ann)
    const theirs = await S.createVersion(other.p, { name: 'same' }, bob)
    pushAll(h, other)
    pushAll(other, h)
    expect(S.listVersions(h.p)).toEqual(S.listVersions(other.p))
    expect(S.listVersions(h.p).filter((v) => v.name === 'same').map((v) => v.id).sort()).toEqual([mine.id, theirs.id].sort())
    expect((await S.readProject(S.openVersion(other.p, mine.id))).items.find((i) => i.id === a)?.tags).toEqual(['mine'])
    expect((await S.readProject(S.openVersion(h.p, theirs.id))).items.find((i) => i.id === b)?.tags).toEqual(['theirs'])
  })
})

describe('pendingChanges', () => {
  it('lists what changed in every shard and the root since the last checkpoint', async () => {
    const { h, a, b, label, cls, v1 } = await versioned()
    await S.updateLabel(h.p, a, label, { bbox: [2, 2, 3, 3] }, ann)
    await S.removeItem(h.p, b)
    const c = await S.addItem(h.p, image('c.png'), ann)
    await S.setTag(h.p, a, 'night', true)
    const truck = S.addClass(h.p, { name: 'truck' })
    S.updateClass(h.p, cls, { color: '#000000' })
    const p = await S.pendingChanges(h.p)
    expect(p.since?.id).toBe(v1.id)
    expect(p.labels.changed).toEqual([label])
    expect(p.labels.removed).toHaveLength(1)
    expect(p.items).toEqual({ added: [c], removed: [b], changed: [] })
    expect(p.tags).toEqual({ added: [{ itemId: a, tag: 'night' }], removed: [] })
    expect(p.classes).toEqual({ added: [truck], removed: [], changed: [cls] })
    expect(p.meta).toEqual([])
    expect(p.total).toBe(7)
  })
})

describe('openVersion', () => {
  it('shows the project as it was, reading only the shards an item or a screen lives in', async () => {
    const { h, a, b, label } = await versioned()
    const v = S.lastCheckpoint(h.p) as D.Version
    const then = await S.readProject(h.p)
    await S.updateLabel(h.p, a, label, { bbox: [3, 3, 3, 3] }, ann)
    await S.setTag(h.p, b, 'late', true)
    await S.addItem(h.p, image('new.png'), ann)
    const seen = recordingOpens(h.p.shards)
    const old = S.openVersion({ root: h.root, shards: seen.shards }, v.id)
    expect(seen.opened.size).toBe(0)
    expect(await S.readItem(old, a)).toEqual(then.items.find((i) => i.id === a))
    expect([...seen.opened]).toEqual([0])
    expect(await S.readItems(old, [b, a])).toEqual([then.items.find((i) => i.id === b), then.items.find((i) => i.id === a)])
    expect([...seen.opened].sort()).toEqual([0, 1])
    expect(await S.readProject(old)).toEqual(then)
    expect((await S.listItems(old)).map((i) => i.id)).toEqual(then.items.map((i) => i.id))
    expect(S.listClasses(old)).toEqual(then.classes)
  })

  it('renders exactly after an append right after the cut, in the same shard (the boundary inside a merged struct)', async () => {
    const { h, a, cls, v1, atV1 } = await versioned()
    // Same client, next clock in shard 0: the snapshot boundary falls inside a merged struct.
    await S.addLabel(h.p, a, { classId: cls, bbox: [1, 1, 2, 2] }, ann)
    await itemIn(h, 0)
    expect(await S.readProject(S.openVersion(h.p, v1.id))).toEqual(atV1)
    const full = h.shards.map((doc) => Y.createDocFromSnapshot(doc, Y.decodeSnapshotV2(D.maps(doc).versions.get(v1.id)?.snapshot ?? new Uint8Array())))
    const items = full.flatMap((doc) => D.readProject(doc).items)
    expect(sortItems(items)).toEqual(atV1.items)
  })

  it('reads the first of two writes Yjs merged into one struct after both were deleted, in a shard', async () => {
    const { h, a, label } = await versioned()
    const bobs = replicaOf(h)
    await S.updateLabel(h.p, a, label, { bbox: [1, 1, 1, 1] }, ann)
    pushAll(h, bobs)
    const v = await S.createVersion(bobs.p, { name: 'between' }, bob)
    const then = await S.readProject(bobs.p)
    await S.updateLabel(h.p, a, label, { bbox: [2, 2, 2, 2] }, ann)
    await S.removeLabel(h.p, a, label)
    pushAll(h, bobs)
    pushAll(bobs, h)
    expect(await S.readProject(S.openVersion(h.p, v.id))).toEqual(then)
    expect((await S.readItem(S.openVersion(bobs.p, v.id), a))?.labels[0]?.bbox).toEqual([1, 1, 1, 1])
  })

  it('says a shard’s part is not here yet, when reached, while its record or the changes it covers are on their way', async () => {
    const { h, a, b } = await versioned()
    const carol = replicaOf(h)
    const behind = replicaOf(h)
    await S.setTag(carol.p, a, 'from-carol', true)
    push(carol.shards[0] as Y.Doc, h.shards[0] as Y.Doc)
    await S.setTag(h.p, b, 'from-ann', true)
    const v2 = await S.createVersion(h.p, { name: 'v2' }, ann)
    // The root's record arrives first; shard 1's record has not, nor has Carol's change in shard 0.
    push(h.root, behind.root)
    const old = S.openVersion(behind.p, v2.id)
    await expect(S.readItem(old, b)).rejects.toThrow(new D.VersionNotAvailableError("This version's part of shard 1 has not reached this device yet; it opens once it has synced"))
    Y.applyUpdateV2(behind.shards[0] as Y.Doc, Y.diffUpdateV2(Y.encodeStateAsUpdateV2(h.shards[0] as Y.Doc), Y.encodeStateVector(carol.shards[0] as Y.Doc)))
    await expect(S.readItem(old, a)).rejects.toThrow(/Version "v2" includes 1 changes that have not reached this device/)
    pushAll(carol, behind)
    pushAll(h, behind)
    expect((await S.readItem(S.openVersion(behind.p, v2.id), a))?.tags).toEqual(['from-carol'])
    expect((await S.readItem(S.openVersion(behind.p, v2.id), b))?.tags).toEqual(['from-ann'])
  })

  it('throws NotFoundError for an unknown version, and names a deleted one', async () => {
    const { h, v1 } = await versioned()
    expect(() => S.openVersion(h.p, 'nope' as D.VersionId)).toThrow(D.NotFoundError)
    S.deleteVersion(h.p, v1.id, bob)
    expect(() => S.openVersion(h.p, v1.id)).toThrow('Version "v1" was deleted by Bob')
    expect(S.listVersions(h.p)).toEqual([])
  })
})

describe('diffVersions', () => {
  it('compares item by item and loads only the shards whose records differ', async () => {
    const { h, a, b, label, v1 } = await versioned()
    const truck = S.addClass(h.p, { name: 'truck' })
    await S.updateLabel(h.p, a, label, { classId: truck, bbox: [2, 2, 4, 4] }, ann)
    await S.setTag(h.p, a, 'night', true)
    const v2 = await S.createVersion(h.p, { name: 'v2' }, ann)
    await S.removeItem(h.p, b)
    const seen = recordingOpens(h.p.shards)
    const p = { root: h.root, shards: seen.shards }
    const d = await S.diffVersions(p, v1.id, v2.id)
    expect([...seen.opened]).toEqual([0])
    expect(d.summary.classes.added).toEqual([truck])
    expect(d.items).toHaveLength(1)
    expect(d.items[0]).toMatchObject({ id: a, status: 'changed', tags: { added: ['night'], removed: [] } })
    expect(d.items[0]?.labels.changed).toEqual([expect.objectContaining({ id: label, moved: true, reclassified: true })])
    const toLatest = await S.diffVersions(p, v2.id, 'latest')
    expect(toLatest.items.map((i) => [i.id, i.status])).toEqual([[b, 'removed']])
    expect(toLatest.items[0]?.labels.removed).toHaveLength(1)
    expect((await S.diffVersions(p, 'latest', 'latest')).items).toEqual([])
  })
})
