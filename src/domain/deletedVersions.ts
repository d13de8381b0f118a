import type * as Y from 'yjs'
import type { Actor, VersionId } from './ids.ts'
import { type DeletedVersionRecord, VERSION_KINDS, maps, write } from './project.ts'
import { NotFoundError, VersionDeletedError } from './errors.ts'
import { ACTOR, NAME, type RecordSchema, TIME, oneOf, recordProblem, requireRecord } from './rules.ts'
import { sourceOf } from './source.ts'

/** The trace a deleted version leaves, as the domain writes it and the server accepts it. */
export const DELETED_VERSION: RecordSchema<DeletedVersionRecord> = {
  what: 'Deleted version',
  fields: { name: NAME, by: ACTOR, at: TIME, kind: oneOf(...VERSION_KINDS), deletedBy: ACTOR, deletedAt: TIME },
}

/** A deleted version as messages name it. */
export type DeletedVersion = { id: VersionId } & DeletedVersionRecord

/** What was deleted and by whom, in the user's words: `Version "X" was deleted by Alice`. */
export const describeDeletion = (d: Pick<DeletedVersion, 'name' | 'deletedBy'>): string => `Version "${d.name}" was deleted by ${d.deletedBy.name || 'someone'}`

/**
 * The trace a deleted version left, or null when there is none (never a version here, or
 * deleted by a client older than the trace). The record was written by another replica,
 * so it is checked before it is trusted.
 */
export const deletedVersion = (doc: Y.Doc, versionId: VersionId): DeletedVersion | null => {
  const record: unknown = maps(sourceOf(doc).doc).deletedVersions.get(versionId)
  if (record === undefined || recordProblem(DELETED_VERSION, record) !== null) return null
  return { id: versionId, ...(record as DeletedVersionRecord) }
}

/** The error for a version that is not in the project: by name when its deletion left a trace, never by raw id. */
export const versionGone = (doc: Y.Doc, versionId: VersionId): NotFoundError => {
  const deleted = deletedVersion(doc, versionId)
  return deleted ? new VersionDeletedError(describeDeletion(deleted), deleted) : new NotFoundError('This version is not in the project')
}

/**
 * Removes a version record and leaves a trace of it (name, author, time, who deleted it),
 * so people viewing it or following a link to it are told what happened. The project's
 * content is untouched.
 */
export const deleteVersion = (doc: Y.Doc, versionId: VersionId, by: Actor): DeletedVersion =>
  write(doc, (m) => {
    const record = m.versions.get(versionId)
    if (!record) throw versionGone(doc, versionId)
    const trace = requireRecord(DELETED_VERSION, {
      name: record.name, by: record.by, at: record.at, kind: record.kind, deletedBy: { id: by.id, name: by.name }, deletedAt: Date.now(),
    })
    m.versions.delete(versionId)
    m.deletedVersions.set(versionId, trace)
    return { id: versionId, ...trace }
  })
