import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { ann, bob, image, push, replicaOf, stateOf } from './helpers.ts'

const labelled = () => {
  const doc = D.createProject({ name: 'Cars' })
  const cls = D.addClass(doc, { name: 'car' })
  const item = D.addItem(doc, image('a.png'), ann)
  const label = D.addLabel(doc, item, { classId: cls, bbox: [0, 0, 10, 10] }, ann)
  return { doc, cls, item, label }
}

describe('createVersion and listVersions', () => {
  it('records name, description, author, kind and counts', () => {
    const { doc } = labelled()
    const v = D.createVersion(doc, { name: ' v1 ', description: 'first cut' }, ann)
    expect(v).toMatchObject({ name: 'v1', description: 'first cut', by: ann, kind: 'checkpoint', base: null })
    expect(v.stats).toMatchObject({ items: 1, labels: 1, classes: 1, tags: 0, runs: 0 })
    expect(D.listVersions(doc).map((x) => x.id)).toEqual([v.id])
    expect(D.lastCheckpoint(doc)?.id).toBe(v.id)
  })

  it('refuses a version with nothing changed, naming the last version', () => {
    const { doc } = labelled()
    D.createVersion(doc, { name: 'v1' }, ann)
    const before = stateOf(doc)
    expect(() => D.createVersion(doc, { name: 'v2' }, ann)).toThrow(new D.NoChangesError('No changes since version "v1"'))
    expect(stateOf(doc)).toBe(before)
  })

  it('refuses an empty name and a write on an old version', () => {
    const { doc } = labelled()
    expect(() => D.createVersion(doc, { name: ' ' }, ann)).toThrow(/Version name must not be empty/)
    const v = D.createVersion(doc, { name: 'v1' }, ann)
    D.addClass(doc, { name: 'truck' })
    const old = D.openVersion(doc, v.id)
    expect(() => D.createVersion(old, { name: 'v2' }, ann)).toThrow(D.ReadOnlyError)
  })

  it('keeps both versions when two people pick the same name offline, ordered by time then id', () => {
    const { doc } = labelled()
    const other = replicaOf(doc)
    D.createVersion(doc, { name: 'same' }, ann)
    D.createVersion(other, { name: 'same' }, bob)
    push(doc, other)
    push(other, doc)
    const list = D.listVersions(doc)
    expect(list.map((v) => [v.name, v.by.name]).sort()).toEqual([['same', 'Ann'], ['same', 'Bob']])
    expect(D.listVersions(other)).toEqual(list)
    const sorted = [...list].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
    expect(list).toEqual(sorted)
  })

  it('counts totals from the previous version', () => {
    const { doc, item, cls } = labelled()
    D.createVersion(doc, { name: 'v1' }, ann)
    D.addLabel(doc, item, { classId: cls, bbox: [1, 1, 5, 5] }, ann)
    D.setTag(doc, item, 'x', true)
    const v2 = D.createVersion(doc, { name: 'v2' }, ann)
    expect(v2.stats).toMatchObject({ items: 1, labels: 2, tags: 1, added: 2, removed: 0, changed: 0 })
  })

  it('deleteVersion removes the record only, leaving a trace of what it was and who deleted it', () => {
    const { doc } = labelled()
    const v = D.createVersion(doc, { name: 'v1' }, ann)
    const content = D.readProject(doc)
    const trace = D.deleteVersion(doc, v.id, bob)
    expect(D.listVersions(doc)).toEqual([])
    expect(D.readProject(doc)).toEqual(content)
    expect(trace).toMatchObject({ id: v.id, name: 'v1', by: ann, at: v.at, kind: 'checkpoint', deletedBy: bob })
    expect(D.deletedVersion(doc, v.id)).toEqual(trace)
    expect(() => D.deleteVersion(doc, v.id, ann)).toThrow(D.NotFoundError)
    expect(() => D.deleteVersion(doc, v.id, ann)).toThrow('Version "v1" was deleted by Bob')
  })
})

describe('pendingChanges', () => {
  it('treats everything as outstanding before the first version', () => {
    const { doc, item, label } = labelled()
    const p = D.pendingChanges(doc)
    expect(p.since).toBeNull()
    expect(p.items.added).toEqual([item])
    expect(p.labels.added).toEqual([label])
  })

  it('lists added, removed and changed records by id since the last checkpoint', () => {
    const { doc, item, label, cls } = labelled()
    const second = D.addItem(doc, image('b.png'), ann)
    const v = D.createVersion(doc, { name: 'v1' }, ann)
    D.updateLabel(doc, item, label, { bbox: [2, 2, 8, 8] }, ann)
    const added = D.addLabel(doc, item, { classId: cls, bbox: [1, 1, 5, 5] }, ann)
    D.removeItem(doc, second)
    D.setTag(doc, item, 'night', true)
    const p = D.pendingChanges(doc)
    expect(p.since?.id).toBe(v.id)
    expect(p.labels).toEqual({ added: [added], removed: [], changed: [label] })
    expect(p.items).toEqual({ added: [], removed: [second], changed: [] })
    expect(p.tags).toEqual({ added: [{ itemId: item, tag: 'night' }], removed: [] })
    expect(p.total).toBe(4)
  })

  it('shows nothing when a change was made and undone by hand', () => {
    const { doc, item } = labelled()
    D.createVersion(doc, { name: 'v1' }, ann)
    D.setTag(doc, item, 'x', true)
    D.setTag(doc, item, 'x', false)
    expect(D.pendingChanges(doc).total).toBe(0)
  })
})

describe('openVersion', () => {
  it('shows the project as it was and refuses every write', () => {
    const { doc, item, label, cls } = labelled()
    const v = D.createVersion(doc, { name: 'v1' }, ann)
    const then = D.readProject(doc)
    D.updateLabel(doc, item, label, { bbox: [3, 3, 3, 3] }, ann)
    D.setTag(doc, item, 'late', true)
    const old = D.openVersion(doc, v.id)
    expect(D.readProject(old)).toEqual(then)
    expect(D.readItem(old, item)).toEqual(then.items[0])
    const writes: Array<() => unknown> = [
      () => D.addItem(old, image('c'), ann),
      () => D.addLabel(old, item, { classId: cls, bbox: [0, 0, 1, 1] }, ann),
      () => D.updateLabel(old, item, label, { bbox: [0, 0, 1, 1] }, ann),
      () => D.removeLabel(old, item, label),
      () => D.setTag(old, item, 'x', true),
      () => D.removeItem(old, item),
      () => D.addClass(old, { name: 'x' }),
      () => D.discardChanges(old, ann),
      () => D.restoreVersion(old, v.id, ann),
      () => D.deleteVersion(old, v.id, ann),
    ]
    const before = stateOf(doc)
    for (const w of writes) expect(w).toThrow(D.ReadOnlyError)
    expect(stateOf(doc)).toBe(before)
    expect(D.isReadOnly(old)).toBe(true)
  })

  it('renders the old version exactly after an append right after the checkpoint', () => {
    const { doc, item, cls } = labelled()
    const v = D.createVersion(doc, { name: 'v1' }, ann)
    const then = D.readProject(doc)
    // Same client, next clock: the classic trap where a snapshot boundary falls inside a merged struct.
    D.addLabel(doc, item, { classId: cls, bbox: [1, 1, 2, 2] }, ann)
    D.addItem(doc, image('b.png'), ann)
    expect(D.readProject(D.openVersion(doc, v.id))).toEqual(then)
    const full = Y.createDocFromSnapshot(doc, Y.decodeSnapshotV2(D.maps(doc).versions.get(v.id)?.snapshot ?? new Uint8Array()))
    expect(D.readProject(full)).toEqual(then)
  })

  it('reads the first of two writes Yjs merged into one struct after both were deleted', () => {
    const { doc, item, label } = labelled()
    const bobs = replicaOf(doc)
    D.updateLabel(doc, item, label, { bbox: [1, 1, 1, 1] }, ann)
    push(doc, bobs)
    const v = D.createVersion(bobs, { name: 'between' }, bob)
    const then = D.readProject(bobs)
    // Ann's next write to the same key follows her previous one directly (consecutive clocks).
    D.updateLabel(doc, item, label, { bbox: [2, 2, 2, 2] }, ann)
    D.removeLabel(doc, item, label)
    push(doc, bobs)
    push(bobs, doc)
    expect(D.readProject(D.openVersion(doc, v.id))).toEqual(then)
    expect(D.readItem(D.openVersion(bobs, v.id), item)?.labels[0]?.bbox).toEqual([1, 1, 1, 1])
  })

  it('says the version is not available yet on a replica missing its updates, instead of crashing', () => {
    const { doc: ann1 } = labelled()
    const carol = replicaOf(ann1)
    const bob1 = replicaOf(ann1)
    D.addItem(carol, image('from-carol.png'), bob)
    push(carol, ann1)
    const v = D.createVersion(ann1, { name: 'v2' }, ann)
    // Bob hears from Ann (her version record) before he hears from Carol (the item it covers).
    const behind = bob1
    Y.applyUpdateV2(behind, Y.diffUpdateV2(Y.encodeStateAsUpdateV2(ann1), Y.encodeStateVector(carol)))
    expect(D.listVersions(behind).map((x) => x.id)).toContain(v.id)
    expect(() => D.openVersion(behind, v.id)).toThrow(D.VersionNotAvailableError)
    expect(() => D.openVersion(behind, v.id)).toThrow(/1 changes that have not reached this device/)
    push(carol, behind)
    expect(D.readProject(D.openVersion(behind, v.id)).items).toHaveLength(2)
  })

  it('throws NotFoundError for an unknown version', () => {
    const { doc } = labelled()
    expect(() => D.openVersion(doc, 'nope' as D.VersionId)).toThrow(D.NotFoundError)
  })
})
