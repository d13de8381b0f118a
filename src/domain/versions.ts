import * as Y from 'yjs'
import { type Actor, type VersionId, newId } from './ids.ts'
import { type ProjectMaps, VERSION_KINDS, type VersionKind, type VersionRecord, type VersionStats, maps, write } from './project.ts'
import { NoChangesError, VersionNotAvailableError } from './errors.ts'
import { versionGone } from './deletedVersions.ts'
import { currentSnapshot, stateVector } from './deleteLog.ts'
import { type ChangeSummary, summarize } from './summary.ts'
import { createView, sourceOf } from './source.ts'
import { ACTOR, BYTES, NAME, OBJECT, type RecordSchema, TIME, nullable, oneOf, requireRecord, requireValue, text, trimmed } from './rules.ts'
import { LOCAL, type Origin } from './origins.ts'

/** A version record, as the domain writes it and the server accepts it. */
export const VERSION: RecordSchema<VersionRecord> = {
  what: 'Version',
  fields: {
    name: NAME, description: text(10_000), by: ACTOR, at: TIME, kind: oneOf(...VERSION_KINDS), snapshot: BYTES, base: nullable(text(100)), stats: OBJECT,
  },
}

/** A version as lists and pickers show it (the snapshot bytes stay in the document). */
export type Version = { id: VersionId; bytes: number } & Omit<VersionRecord, 'snapshot'>

/** A record as lists show it. */
export const toVersion = (id: string, r: VersionRecord): Version => {
  const { snapshot, ...rest } = r
  return { id: id as VersionId, bytes: snapshot.byteLength, ...rest }
}

const newer = (a: { at: number; id: string }, b: { at: number; id: string }): boolean => a.at > b.at || (a.at === b.at && a.id > b.id)

/** Every version, oldest first by (time, id); reads the live project behind an opened version too. */
export const listVersions = (doc: Y.Doc): Version[] => {
  const out: Version[] = []
  maps(sourceOf(doc).doc).versions.forEach((record, id) => out.push(toVersion(id, record)))
  return out.sort((a, b) => (newer(a, b) ? 1 : newer(b, a) ? -1 : 0))
}

/** "The last version": the newest checkpoint made by a person, or null before the first. */
export const lastCheckpoint = (doc: Y.Doc): Version | null => {
  let last: Version | null = null
  maps(sourceOf(doc).doc).versions.forEach((record, id) => {
    if (record.kind === 'checkpoint' && (last === null || newer({ at: record.at, id }, last))) last = toVersion(id, record)
  })
  return last
}

const decoded = new WeakMap<Uint8Array, Y.Snapshot>()

/** Decodes a version's snapshot once; the bytes in a record never change. */
const decode = (bytes: Uint8Array): Y.Snapshot => {
  let snapshot = decoded.get(bytes)
  if (!snapshot) decoded.set(bytes, (snapshot = Y.decodeSnapshotV2(bytes)))
  return snapshot
}

/** The snapshot a version holds; throws when this replica lacks part of what it covers. */
export const versionSnapshot = (doc: Y.Doc, versionId: VersionId): Y.Snapshot => {
  const live = sourceOf(doc).doc
  const record = maps(live).versions.get(versionId)
  if (!record) throw versionGone(live, versionId)
  const snapshot = decode(record.snapshot)
  const have = stateVector(live)
  let missing = 0
  snapshot.sv.forEach((clock, client) => (missing += Math.max(0, clock - (have.get(client) ?? 0))))
  if (missing > 0) {
    throw new VersionNotAvailableError(`Version "${record.name}" includes ${missing} changes that have not reached this device yet; it opens once they have synced`)
  }
  return snapshot
}

/** Outstanding changes: what differs between the last checkpoint and the live document. */
export const pendingChanges = (doc: Y.Doc): ChangeSummary & { since: Version | null } => {
  const live = sourceOf(doc).doc
  const since = lastCheckpoint(live)
  const base = since ? versionSnapshot(live, since.id) : Y.emptySnapshot
  return { since, ...summarize(live, base, null) }
}

/** A version's counts: the totals of the version it was compared with (`prev`), moved by what changed since. */
export const statsFrom = (prev: VersionStats | undefined, s: ChangeSummary): VersionStats => {
  const net = (k: { added: unknown[]; removed: unknown[] }): number => k.added.length - k.removed.length
  return {
    items: (prev?.items ?? 0) + net(s.items),
    labels: (prev?.labels ?? 0) + net(s.labels),
    tags: (prev?.tags ?? 0) + net(s.tags),
    runs: (prev?.runs ?? 0) + net(s.runs),
    classes: (prev?.classes ?? 0) + net(s.classes),
    added: s.items.added.length + s.labels.added.length + s.tags.added.length + s.runs.added.length + s.classes.added.length,
    removed: s.items.removed.length + s.labels.removed.length + s.tags.removed.length + s.runs.removed.length + s.classes.removed.length,
    changed: s.items.changed.length + s.labels.changed.length + s.runs.changed.length + s.classes.changed.length + s.meta.length,
  }
}

/** Builds a version record of the live state; the caller writes it. */
export const versionRecord = (doc: Y.Doc, input: { name: string; description?: string }, by: Actor, kind: VersionKind): VersionRecord => {
  const name = requireValue(NAME, trimmed(input.name), 'Version name')
  const snapshot = currentSnapshot(doc)
  const pending = pendingChanges(doc)
  if (kind === 'checkpoint' && pending.total === 0) {
    throw new NoChangesError(pending.since ? `No changes since version "${pending.since.name}"` : 'No changes to version yet')
  }
  return {
    name,
    description: typeof input.description === 'string' ? input.description.trim() : '',
    by: { id: by.id, name: by.name },
    at: Date.now(),
    kind,
    snapshot: Y.encodeSnapshotV2(snapshot),
    base: pending.since?.id ?? null,
    stats: statsFrom(pending.since?.stats, pending),
  }
}

/** Stores a version record under a new id. */
export const putVersion = (m: ProjectMaps, record: VersionRecord): VersionId => {
  const id = newId<VersionId>()
  m.versions.set(id, requireRecord(VERSION, record))
  return id
}

/** Checkpoints the whole project; refuses with `NoChangesError` when nothing changed. */
export const createVersion = (doc: Y.Doc, input: { name: string; description?: string }, by: Actor, origin: Origin = LOCAL): Version =>
  write(doc, (m) => {
    const record = versionRecord(doc, input, by, 'checkpoint')
    return toVersion(putVersion(m, record), record)
  }, origin)

/** Opens a version read-only: reads show the project as it was, writes throw `ReadOnlyError`. */
export const openVersion = (doc: Y.Doc, versionId: VersionId): Y.Doc => {
  const live = sourceOf(doc).doc
  return createView(live, versionSnapshot(live, versionId), versionId)
}
