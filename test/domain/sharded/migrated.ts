import { expect } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { replicaOf as replicaOfDoc } from '../helpers.ts'
import { type Held, comparableDiff, comparableProject, comparableSummary, replicaOf } from './helpers.ts'

/** A migrated project held in memory, as the sharded tests hold one. */
export const heldOf = (m: S.Migrated): Held => ({ p: S.shardedProject(m.root, S.memoryShards(m.shards)), root: m.root, shards: m.shards })

/** Each document's full state as bytes, root first: "byte-identical" means these are equal. */
export const bytesOf = (m: S.Migrated): string[] => [m.root, ...m.shards].map((doc) => Buffer.from(Y.encodeStateAsUpdateV2(doc)).toString('base64'))

const listed = (v: D.Version) => {
  const { bytes: _, ...rest } = v
  return rest
}

/** The old versions the migration carried over: every one but those it reported skipped. */
const carriedOver = (old: Y.Doc, m: S.Migrated): D.Version[] => {
  const skipped = new Set(m.skipped.map((s) => s.id))
  return D.listVersions(old).filter((v) => !skipped.has(v.id))
}

/** Every carried version opens as it did in the old document: whole, listed, and item by item. */
const expectVersionsOpen = async (old: Y.Doc, h: Held, versions: readonly D.Version[]): Promise<void> => {
  for (const v of versions) {
    const want = comparableProject(D.readProject(D.openVersion(old, v.id)))
    const view = S.openVersion(h.p, v.id)
    expect(comparableProject(await S.readProject(view)), `version ${v.name}`).toEqual(want)
    expect((await S.listItems(view)).map((i) => i.id)).toEqual(want.items.map((i) => i.id))
    for (const item of want.items) expect(await S.readItem(view, item.id)).toEqual(item)
  }
}

/** The diff of every pair of carried versions and latest, both ways, equals the old document's. */
const expectDiffs = async (old: Y.Doc, h: Held, versions: readonly D.Version[]): Promise<void> => {
  const refs: D.VersionRef[] = ['latest', ...versions.map((v) => v.id)]
  for (const a of refs) {
    for (const b of refs) expect(comparableDiff(await S.diffVersions(h.p, a, b)), `diff ${a} -> ${b}`).toEqual(comparableDiff(D.diffVersions(old, a, b)))
  }
}

/** A deleted version is still told by name, on lookup and on opening. */
const expectTraces = (old: Y.Doc, h: Held): void => {
  for (const key of D.maps(old).deletedVersions.keys()) {
    const id = key as D.VersionId
    expect(D.lookUpVersion(h.root, id)).toEqual(D.lookUpVersion(old, id))
    const trace = D.deletedVersion(old, id)
    expect(trace).not.toBeNull()
    expect(() => S.openVersion(h.p, id)).toThrow(D.describeDeletion(trace as D.DeletedVersion))
  }
}

/** A discard on copies of both sides goes back to the same last checkpoint. */
const expectDiscardAsBefore = async (old: Y.Doc, h: Held): Promise<void> => {
  if (!D.lastCheckpoint(old) || D.pendingChanges(old).total === 0) return
  const [oldCopy, newCopy] = [replicaOfDoc(old), replicaOf(h)]
  D.discardChanges(oldCopy, { id: 'u-check', name: 'Check' })
  await S.discardChanges(newCopy.p, { id: 'u-check', name: 'Check' })
  expect(comparableProject(await S.readProject(newCopy.p))).toEqual(comparableProject(D.readProject(oldCopy)))
  expect((await S.pendingChanges(newCopy.p)).total).toBe(0)
}

/** The carried versions as before: listed with the same heads, bases and stats, each opening as before, the same diffs, deleted ones still named. */
export const expectVersionsAsBefore = async (old: Y.Doc, m: S.Migrated): Promise<void> => {
  const h = heldOf(m)
  const versions = carriedOver(old, m)
  expect(m.versions).toBe(versions.length)
  expect(S.listVersions(h.p).map(listed)).toEqual(versions.map(listed))
  await expectVersionsOpen(old, h, versions)
  await expectDiffs(old, h, versions)
  expectTraces(old, h)
}

/**
 * Holds a migration to its promise: the versions as before, the same live state and
 * outstanding changes, a discard going back to the same checkpoint.
 */
export const expectMigrated = async (old: Y.Doc, m: S.Migrated): Promise<void> => {
  await expectVersionsAsBefore(old, m)
  const h = heldOf(m)
  expect(comparableProject(await S.readProject(h.p))).toEqual(comparableProject(D.readProject(old)))
  const [before, after] = [D.pendingChanges(old), await S.pendingChanges(h.p)]
  expect(comparableSummary(after)).toEqual(comparableSummary(before))
  expect(after.since && listed(after.since)).toEqual(before.since && listed(before.since))
  await expectDiscardAsBefore(old, h)
}
