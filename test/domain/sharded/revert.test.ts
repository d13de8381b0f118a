import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { ann, bob } from '../helpers.ts'
import { type Held, countTransactions, itemIn, pushAll, replicaOf, sharded, statesOf } from './helpers.ts'

const versioned = async () => {
  const h = sharded(4)
  const cls = S.addClass(h.p, { name: 'car' })
  const items = [await itemIn(h, 0), await itemIn(h, 1), await itemIn(h, 2), await itemIn(h, 3)]
  for (const item of items) await S.addLabel(h.p, item, { classId: cls, bbox: [0, 0, 10, 10] }, ann)
  const v1 = await S.createVersion(h.p, { name: 'v1' }, ann)
  return { h, cls, items, v1, atV1: await S.readProject(h.p) }
}

describe('discardChanges', () => {
  it('is refused before the first version and when nothing changed, writing nothing', async () => {
    const h = sharded(4)
    S.addClass(h.p, { name: 'car' })
    await expect(S.discardChanges(h.p, ann)).rejects.toThrow(/create a first version before discarding/)
    const { h: p } = await versioned()
    const before = statesOf(p)
    await expect(S.discardChanges(p.p, ann)).rejects.toThrow(new D.NoChangesError('No changes since version "v1" to discard'))
    expect(statesOf(p)).toEqual(before)
  })

  it('records the work as a discarded cut, then reverts only the changed documents, one transaction each', async () => {
    const { h, items, v1, atV1 } = await versioned()
    const [a, , , d] = items as [D.ItemId, D.ItemId, D.ItemId, D.ItemId]
    await S.setTag(h.p, a, 'night', true)
    await S.setTag(h.p, d, 'night', true)
    S.addClass(h.p, { name: 'truck' })
    const edited = await S.readProject(h.p)
    const counts = countTransactions(h)
    const discarded = await S.discardChanges(h.p, bob)
    // Root: its cut record, then its revert. Shards 0 and 3: a record, then a revert. Shards 1 and 2 untouched.
    expect(counts).toEqual([2, 2, 0, 0, 2])
    expect(discarded).toMatchObject({ kind: 'discarded', by: bob, base: v1.id, name: 'Discarded changes after "v1"', reverted: 3 })
    expect(S.cutShards(h.p, discarded.id)).toEqual([discarded.id, v1.id, v1.id, discarded.id])
    expect(await S.readProject(h.p)).toEqual(atV1)
    expect((await S.pendingChanges(h.p)).total).toBe(0)
    expect(await S.readProject(S.openVersion(h.p, discarded.id))).toEqual(edited)
    expect(S.lastCheckpoint(h.p)?.id).toBe(v1.id)
  })

  it('converges with nothing duplicated when two replicas discard concurrently, and keeps a racing edit', async () => {
    const { h, items, atV1 } = await versioned()
    const [a, b, c] = items as [D.ItemId, D.ItemId, D.ItemId]
    const third = replicaOf(h)
    await S.setTag(h.p, a, 'night', true)
    await S.removeItem(h.p, b)
    const other = replicaOf(h)
    await S.discardChanges(h.p, ann)
    await S.discardChanges(other.p, bob)
    pushAll(h, other)
    pushAll(other, h)
    expect(await S.readProject(h.p)).toEqual(atV1)
    expect(await S.readProject(other.p)).toEqual(atV1)
    expect(S.listVersions(h.p).filter((v) => v.kind === 'discarded')).toHaveLength(2)
    await S.setTag(third.p, c, 'reviewed', true)
    pushAll(third, h)
    pushAll(h, third)
    expect(await S.readProject(third.p)).toEqual(await S.readProject(h.p))
    expect((await S.readItem(h.p, c))?.tags).toEqual(['reviewed'])
    expect((await S.readItem(h.p, a))?.tags).toEqual([])
    expect(await S.readItem(h.p, b)).toEqual(atV1.items.find((i) => i.id === b))
  })
})

describe('restoreVersion', () => {
  it('restores discarded work and records the state it leaves', async () => {
    const { h, items, atV1 } = await versioned()
    await S.setTag(h.p, items[1] as D.ItemId, 'x', true)
    const edited = await S.readProject(h.p)
    const discarded = await S.discardChanges(h.p, ann)
    const counts = countTransactions(h)
    const restored = await S.restoreVersion(h.p, discarded.id, ann)
    // Nothing changed since v1, so the restored cut reuses every record (root record only); then shard 1's revert.
    expect(counts).toEqual([1, 0, 1, 0, 0])
    expect(restored).toMatchObject({ kind: 'restored', name: 'Before restoring "Discarded changes after "v1""', reverted: 1 })
    expect(await S.readProject(h.p)).toEqual(edited)
    expect(await S.readProject(S.openVersion(h.p, restored.id))).toEqual(atV1)
  })

  it('goes back several versions, and is refused when latest already matches or for unknown versions', async () => {
    const { h, items, v1, atV1 } = await versioned()
    await S.removeItem(h.p, items[0] as D.ItemId)
    S.addClass(h.p, { name: 'truck' })
    await S.createVersion(h.p, { name: 'v2' }, ann)
    await S.setTag(h.p, items[2] as D.ItemId, 'x', true)
    await S.createVersion(h.p, { name: 'v3' }, ann)
    await S.restoreVersion(h.p, v1.id, ann)
    expect(await S.readProject(h.p)).toEqual(atV1)
    const before = statesOf(h)
    await expect(S.restoreVersion(h.p, v1.id, ann)).rejects.toThrow(/already matches version "v1"/)
    await expect(S.restoreVersion(h.p, 'nope' as D.VersionId, ann)).rejects.toThrow(D.NotFoundError)
    expect(statesOf(h)).toEqual(before)
  })
})

// A key `summary.total` does not count (here a tag key no reader parses), written as another client would.
const uncountedWrite = (h: Held, i: number): void => {
  (h.shards[i] as Y.Doc).transact(() => D.maps(h.shards[i] as Y.Doc).tags.set('not a tag key', true))
}

describe('a shard whose only change is one the summary does not count', () => {
  it('is reverted by a discard', async () => {
    const { h, items } = await versioned()
    uncountedWrite(h, 0)
    await S.setTag(h.p, items[1] as D.ItemId, 'night', true)
    await S.discardChanges(h.p, ann)
    expect(D.maps(h.shards[0] as Y.Doc).tags.has('not a tag key')).toBe(false)
  })

  it('gets its own record in the cut a restore leaves, so restoring that cut brings the key back', async () => {
    const { h, v1 } = await versioned()
    uncountedWrite(h, 0)
    const before = await S.restoreVersion(h.p, v1.id, ann)
    expect(S.cutShards(h.p, before.id)).toEqual([before.id, v1.id, v1.id, v1.id])
    expect(D.maps(h.shards[0] as Y.Doc).tags.has('not a tag key')).toBe(false)
    await S.restoreVersion(h.p, before.id, ann)
    expect(D.maps(h.shards[0] as Y.Doc).tags.has('not a tag key')).toBe(true)
  })
})
