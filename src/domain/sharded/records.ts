import type * as Y from 'yjs'
import type { VersionId } from '../ids.ts'
import { type VersionRecord, maps } from '../project.ts'
import { StrataError, VersionNotAvailableError } from '../errors.ts'
import { versionGone } from '../deletedVersions.ts'
import { sourceOf } from '../source.ts'
import * as Versions from '../versions.ts'
import { type RecordSchema, type Rule, text } from '../rules.ts'
import { MAX_SHARDS } from './placement.ts'
import type { ShardedProject } from './shards.ts'

/**
 * The root's record of a version (a cut): the root's own snapshot, and per shard the id of the
 * shard record the cut uses. A shard record lives in that shard's `versions` map under the id
 * of the cut that made it; a shard unchanged since the previous cut keeps pointing at that
 * cut's record.
 */
export interface CutRecord extends VersionRecord {
  shards: VersionId[]
}

const SHARD_RECORDS: Rule = (v) =>
  Array.isArray(v) && v.length >= 1 && v.length <= MAX_SHARDS && v.every((id) => text(100)(id) === null) ? null : 'must name one record per shard'

/** A cut record, as the domain writes it; a shard's own records are plain `VERSION` records. */
export const CUT: RecordSchema<CutRecord> = { what: 'Version', fields: { ...Versions.VERSION.fields, shards: SHARD_RECORDS } }

/** The shard records version `versionId` uses, one per shard; throws when it is not in the project. */
export const cutShards = (p: ShardedProject, versionId: VersionId): VersionId[] => {
  const live = sourceOf(p.root).doc
  const record = maps(live).versions.get(versionId) as Partial<CutRecord> | undefined
  if (!record) throw versionGone(live, versionId)
  const shards = record.shards
  if (!Array.isArray(shards) || shards.length !== p.shards.count) {
    throw new StrataError(`Version "${record.name ?? versionId}" does not name a record for each of the project's ${p.shards.count} shards`)
  }
  return shards
}

/** The snapshot of shard `i` a cut uses (its record `recordId`); says so when the record or what it covers has not arrived. */
export const shardSnapshot = (doc: Y.Doc, recordId: VersionId, i: number): Y.Snapshot => {
  if (!maps(doc).versions.has(recordId)) {
    throw new VersionNotAvailableError(`This version's part of shard ${i} has not reached this device yet; it opens once it has synced`)
  }
  return Versions.versionSnapshot(doc, recordId)
}

/** A version as lists show it, without the per-shard record ids. */
const listed = (v: Versions.Version): Versions.Version => {
  const { shards: _, ...rest } = v as Versions.Version & { shards?: unknown }
  return rest
}

/** Every version, oldest first by (time, id). */
export const listVersions = (p: ShardedProject): Versions.Version[] => Versions.listVersions(p.root).map(listed)

/** The newest checkpoint made by a person, or null before the first. */
export const lastCheckpoint = (p: ShardedProject): Versions.Version | null => {
  const last = Versions.lastCheckpoint(p.root)
  return last && listed(last)
}
