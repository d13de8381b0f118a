import { describe, expect, it } from 'vitest'
import * as D from '../../src/domain/index.ts'
import { ann, bob, image, push, replicaOf, stateOf, syncAll } from './helpers.ts'

const versioned = () => {
  const doc = D.createProject({ name: 'Cars' })
  const cls = D.addClass(doc, { name: 'car' })
  const item = D.addItem(doc, image('a.png'), ann)
  const label = D.addLabel(doc, item, { classId: cls, bbox: [0, 0, 10, 10] }, ann)
  D.setTag(doc, item, 'day', true)
  const v1 = D.createVersion(doc, { name: 'v1' }, ann)
  return { doc, cls, item, label, v1, atV1: D.readProject(doc) }
}

const edit = (doc: ReturnType<typeof versioned>) => {
  D.updateLabel(doc.doc, doc.item, doc.label, { bbox: [5, 5, 5, 5] }, ann)
  D.setTag(doc.doc, doc.item, 'day', false)
  D.setTag(doc.doc, doc.item, 'night', true)
  const extra = D.addItem(doc.doc, image('b.png'), ann)
  D.addLabel(doc.doc, extra, { classId: doc.cls, bbox: [1, 1, 1, 1] }, ann)
  D.addClass(doc.doc, { name: 'truck' })
}

describe('discardChanges', () => {
  it('is refused before the first version, with a reason', () => {
    const doc = D.createProject({ name: 'Cars' })
    D.addClass(doc, { name: 'car' })
    const before = stateOf(doc)
    expect(() => D.discardChanges(doc, ann)).toThrow(/create a first version before discarding/)
    expect(stateOf(doc)).toBe(before)
  })

  it('is refused when nothing changed', () => {
    const p = versioned()
    expect(() => D.discardChanges(p.doc, ann)).toThrow(D.NoChangesError)
    expect(D.listVersions(p.doc)).toHaveLength(1)
  })

  it('goes back to the last version and keeps the thrown-away work as a discarded version', () => {
    const p = versioned()
    edit(p)
    const edited = D.readProject(p.doc)
    const discarded = D.discardChanges(p.doc, bob)
    expect(D.readProject(p.doc)).toEqual(p.atV1)
    expect(D.pendingChanges(p.doc).total).toBe(0)
    expect(discarded).toMatchObject({ kind: 'discarded', by: bob, base: p.v1.id })
    expect(D.readProject(D.openVersion(p.doc, discarded.id))).toEqual(edited)
    expect(D.lastCheckpoint(p.doc)?.id).toBe(p.v1.id)
  })

  it('reaches other replicas as ordinary updates', () => {
    const p = versioned()
    const other = replicaOf(p.doc)
    edit(p)
    push(p.doc, other)
    D.discardChanges(p.doc, ann)
    push(p.doc, other)
    expect(D.readProject(other)).toEqual(p.atV1)
  })

  it('converges with nothing duplicated when two replicas discard concurrently', () => {
    const p = versioned()
    edit(p)
    const other = replicaOf(p.doc)
    D.discardChanges(p.doc, ann)
    D.discardChanges(other, bob)
    syncAll(p.doc, other)
    expect(D.readProject(p.doc)).toEqual(p.atV1)
    expect(D.readProject(other)).toEqual(p.atV1)
    expect(D.listVersions(p.doc).filter((v) => v.kind === 'discarded')).toHaveLength(2)
    expect(D.listVersions(other)).toEqual(D.listVersions(p.doc))
  })

  it('converges when a discard races another replica’s edit, and keeps that edit', () => {
    const p = versioned()
    edit(p)
    const other = replicaOf(p.doc)
    D.discardChanges(p.doc, ann)
    const late = D.addItem(other, image('late.png'), bob)
    D.setTag(other, p.item, 'reviewed', true)
    syncAll(p.doc, other)
    const a = D.readProject(p.doc)
    expect(D.readProject(other)).toEqual(a)
    expect(a.items.map((i) => i.id)).toContain(late)
    expect(a.items.find((i) => i.id === p.item)?.tags).toContain('reviewed')
    expect(a.items.find((i) => i.id === p.item)?.tags).not.toContain('night')
  })
})

describe('restoreVersion', () => {
  it('restores discarded work and records the state it leaves', () => {
    const p = versioned()
    edit(p)
    const edited = D.readProject(p.doc)
    const discarded = D.discardChanges(p.doc, ann)
    const restored = D.restoreVersion(p.doc, discarded.id, ann)
    expect(D.readProject(p.doc)).toEqual(edited)
    expect(restored.kind).toBe('restored')
    expect(D.readProject(D.openVersion(p.doc, restored.id))).toEqual(p.atV1)
  })

  it('goes back several versions', () => {
    const p = versioned()
    edit(p)
    D.createVersion(p.doc, { name: 'v2' }, ann)
    D.removeItem(p.doc, p.item)
    D.createVersion(p.doc, { name: 'v3' }, ann)
    D.restoreVersion(p.doc, p.v1.id, ann)
    expect(D.readProject(p.doc)).toEqual(p.atV1)
  })

  it('is refused when latest already matches, and for unknown versions', () => {
    const p = versioned()
    const before = stateOf(p.doc)
    expect(() => D.restoreVersion(p.doc, p.v1.id, ann)).toThrow(/already matches version "v1"/)
    expect(() => D.restoreVersion(p.doc, 'nope' as D.VersionId, ann)).toThrow(D.NotFoundError)
    expect(stateOf(p.doc)).toBe(before)
  })
})

describe('diffVersions', () => {
  it('lists items added, removed and changed with how their labels and tags changed', () => {
    const p = versioned()
    const truck = D.addClass(p.doc, { name: 'truck' })
    D.updateLabel(p.doc, p.item, p.label, { classId: truck, bbox: [2, 2, 4, 4] }, ann)
    D.setTag(p.doc, p.item, 'night', true)
    const b = D.addItem(p.doc, image('b.png'), ann)
    const v2 = D.createVersion(p.doc, { name: 'v2' }, ann)
    const d = D.diffVersions(p.doc, p.v1.id, v2.id)
    const changed = d.items.find((i) => i.id === p.item)
    expect(changed).toMatchObject({ status: 'changed', tags: { added: ['night'], removed: [] } })
    expect(changed?.labels.changed).toEqual([expect.objectContaining({ id: p.label, moved: true, reclassified: true })])
    expect(d.items.find((i) => i.id === b)?.status).toBe('added')
    expect(d.summary.classes.added).toEqual([truck])
    const back = D.diffVersions(p.doc, v2.id, p.v1.id)
    expect(back.items.find((i) => i.id === b)?.status).toBe('removed')
    expect(D.diffVersions(p.doc, 'latest', 'latest').items).toEqual([])
    expect(D.diffVersions(p.doc, v2.id, 'latest').items).toEqual([])
  })
})
