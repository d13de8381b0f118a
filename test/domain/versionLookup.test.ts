import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { recordProblem } from '../../src/domain/schema.ts'
import { ann, bob, image, push, replicaOf, syncAll } from './helpers.ts'

const project = () => {
  const doc = D.createProject({ name: 'Cars' })
  const item = D.addItem(doc, image('a.png'), ann)
  return { doc, item }
}

const unknown = '00000000-0000-4000-8000-000000000000' as D.VersionId

describe('a deleted version', () => {
  it('is looked up by name and deleter, on every replica, and no longer opens', () => {
    const { doc, item } = project()
    const v = D.createVersion(doc, { name: 'Reviewed' }, ann)
    const viewer = replicaOf(doc)
    const opened = D.openVersion(viewer, v.id)
    expect(D.lookUpVersion(viewer, v.id)).toMatchObject({ found: 'version', version: { id: v.id, name: 'Reviewed' } })

    D.deleteVersion(doc, v.id, bob)
    push(doc, viewer)
    expect(D.lookUpVersion(viewer, v.id)).toMatchObject({ found: 'deleted', deleted: { name: 'Reviewed', by: ann, deletedBy: bob } })
    // Asked from the view that was open, too: it reads the live project behind it.
    expect(D.lookUpVersion(opened, v.id).found).toBe('deleted')
    expect(() => D.openVersion(viewer, v.id)).toThrow(D.VersionDeletedError)
    expect(() => D.openVersion(viewer, v.id)).toThrow('Version "Reviewed" was deleted by Bob')
    expect(D.readItem(viewer, item)?.name).toBe('a.png')
  })

  it('leaves latest and the outstanding changes alone, and is not undone by discard or restore', () => {
    const { doc, item } = project()
    const first = D.createVersion(doc, { name: 'first' }, ann)
    D.setTag(doc, item, 'night', true)
    const second = D.createVersion(doc, { name: 'second' }, ann)
    D.setTag(doc, item, 'blurry', true)
    D.deleteVersion(doc, first.id, bob)
    expect(D.pendingChanges(doc).total).toBe(1)
    D.discardChanges(doc, ann)
    D.setTag(doc, item, 'late', true)
    D.restoreVersion(doc, second.id, ann)
    expect(D.lookUpVersion(doc, first.id).found).toBe('deleted')
    expect(D.listVersions(doc).some((v) => v.id === first.id)).toBe(false)
  })

  it('converges when two people delete it at once', () => {
    const { doc } = project()
    const v = D.createVersion(doc, { name: 'twice' }, ann)
    const other = replicaOf(doc)
    D.deleteVersion(doc, v.id, ann)
    D.deleteVersion(other, v.id, bob)
    syncAll(doc, other)
    expect(D.deletedVersion(doc, v.id)).toEqual(D.deletedVersion(other, v.id))
    expect(D.listVersions(doc)).toEqual([])
  })

  it('is unknown when nothing was left (an id from elsewhere, or deleted by an older client)', () => {
    const { doc } = project()
    expect(D.lookUpVersion(doc, unknown)).toEqual({ found: 'nothing' })
    const v = D.createVersion(doc, { name: 'old way' }, ann)
    doc.transact(() => D.maps(doc).versions.delete(v.id))
    expect(D.lookUpVersion(doc, v.id)).toEqual({ found: 'nothing' })
    expect(() => D.openVersion(doc, v.id)).toThrow('This version is not in the project')
    expect(() => D.openVersion(doc, v.id)).not.toThrow(v.id)
  })

  it('ignores a malformed trace another client wrote', () => {
    const { doc } = project()
    doc.transact(() => (D.maps(doc).deletedVersions as unknown as Y.Map<unknown>).set(unknown, { name: 'x' }))
    expect(D.lookUpVersion(doc, unknown)).toEqual({ found: 'nothing' })
    expect(recordProblem('deletedVersions', unknown, { name: 'x' })).toMatch(/bad field/)
    const good = { name: 'x', by: ann, at: 1, kind: 'checkpoint', deletedBy: bob, deletedAt: 2 }
    expect(recordProblem('deletedVersions', unknown, good)).toBeNull()
  })
})

describe('findVersion', () => {
  it('finds by id, else by name; a shared name answers every candidate, oldest first', () => {
    const { doc, item } = project()
    const a = D.createVersion(doc, { name: 'Baseline' }, ann)
    D.setTag(doc, item, 'x', true)
    // Someone else, offline, picked the same name.
    const elsewhere = replicaOf(doc)
    D.setTag(elsewhere, item, 'y', true)
    D.setTag(doc, item, 'z', true)
    const b = D.createVersion(elsewhere, { name: 'Baseline' }, bob)
    const c = D.createVersion(doc, { name: 'Other' }, ann)
    syncAll(doc, elsewhere)
    expect(D.findVersion(doc, a.id)).toMatchObject({ found: 'one', version: { id: a.id } })
    expect(D.findVersion(doc, 'Other')).toMatchObject({ found: 'one', version: { id: c.id } })
    const both = D.findVersion(doc, 'Baseline')
    expect(both.found).toBe('several')
    if (both.found === 'several') expect(new Set(both.candidates.map((v) => v.id))).toEqual(new Set([a.id, b.id]))
    expect(D.versionsNamed(doc, ' Baseline ').length).toBe(2)
    expect(D.versionsNamed(doc, 'baseline')).toEqual([])
    expect(D.findVersion(doc, 'nope')).toEqual({ found: 'none' })
  })

  it('says a version was deleted when asked by its id or its name', () => {
    const { doc } = project()
    const v = D.createVersion(doc, { name: 'Gone' }, ann)
    D.deleteVersion(doc, v.id, bob)
    expect(D.findVersion(doc, v.id)).toMatchObject({ found: 'deleted', deleted: { name: 'Gone', deletedBy: bob } })
    expect(D.findVersion(doc, 'Gone')).toMatchObject({ found: 'deleted', deleted: { id: v.id } })
    expect(D.describeDeletion({ name: 'Gone', deletedBy: bob })).toBe('Version "Gone" was deleted by Bob')
  })
})
