import * as Y from 'yjs'
import type { VersionId } from '../ids.ts'
import { type DeletedVersionRecord, SCHEMA, assertHistoryKept, maps, write } from '../project.ts'
import { SchemaError, StrataError, ValidationError, VersionNotAvailableError } from '../errors.ts'
import { currentSnapshot } from '../deleteLog.ts'
import { VERSION, type Version, listVersions, versionSnapshot } from '../versions.ts'
import { recordProblem } from '../rules.ts'
import { MIGRATION } from '../origins.ts'
import { fnv1a, isShardCount, shardsFor } from './placement.ts'
import { SHARDED_SCHEMA, shardMeta, shardedDoc, shardedProject } from './create.ts'
import { memoryShards } from './shards.ts'
import { pendingParts, writeCut } from './cut.ts'
import { replay } from './replay.ts'

export interface MigrateOptions {
  /** The project's id: with the old document's state, it fixes the client ids the new documents are written with. */
  projectId: string
  /** The shard count; by default `shardsFor` the live item count. */
  shards?: number
}

/** An old version the migration could not make a cut of, and why. */
export interface SkippedVersion {
  id: VersionId
  name: string
  reason: string
}

/** A migrated project: its new documents, the cuts made, and the old versions left out. */
export interface Migrated {
  root: Y.Doc
  shards: Y.Doc[]
  /** Old versions carried over, each as a cut under the same id. */
  versions: number
  /** Versions the old document does not fully hold (`VersionNotAvailableError`) or cannot read. */
  skipped: SkippedVersion[]
}

/** Refuses what cannot migrate: a document that keeps no history, or one not in schema 1. */
const requireMigratable = (old: Y.Doc): void => {
  assertHistoryKept(old)
  const schema = maps(old).meta.get('schema')
  if (schema !== SCHEMA) {
    throw new SchemaError(`Only a schema-${SCHEMA} project migrates to sharded documents; this one records ${schema === undefined ? 'no schema' : `schema ${String(schema)}`}`, schema)
  }
}

/** A 32-bit fingerprint of a document's whole state (state vector and delete set), the same however its updates arrived. */
const fingerprint = (doc: Y.Doc): number => {
  const bytes = Y.encodeSnapshotV2(currentSnapshot(doc))
  let text = ''
  for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096))
  return fnv1a(text)
}

/** A random 32-bit client id, as Yjs picks one. */
const randomClientId = (): number => new DataView(crypto.getRandomValues(new Uint8Array(4)).buffer).getUint32(0)

/** The old version's snapshot, or null when it cannot become a cut (noted in `skipped`, with the reason). */
const carried = (old: Y.Doc, v: Version, skipped: SkippedVersion[]): Y.Snapshot | null => {
  const skip = (reason: string): null => {
    skipped.push({ id: v.id, name: String(v.name), reason })
    return null
  }
  const problem = recordProblem(VERSION, maps(old).versions.get(v.id))
  if (problem !== null) return skip(`Its record is malformed: ${problem}`)
  try {
    return versionSnapshot(old, v.id)
  } catch (e) {
    if (e instanceof VersionNotAvailableError) return skip(e.message)
    if (e instanceof StrataError) throw e
    return skip(`Its snapshot cannot be read: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** Carries the deleted versions' traces over, so a link to one still names it and who deleted it. */
const copyDeletedVersions = (old: Y.Doc, root: Y.Doc): void => {
  const traces = maps(old).deletedVersions
  if (traces.size === 0) return
  write(root, (m) => {
    for (const id of [...traces.keys()].sort()) m.deletedVersions.set(id, traces.get(id) as DeletedVersionRecord)
  }, MIGRATION)
}

/**
 * Migrates a schema-1 project (one document with its versions) to a sharded one, leaving the
 * old document untouched. Replays the old versions oldest first by (time, id): the new
 * documents go from each version's state to the next by the keys that changed between them,
 * O(changes), and each version becomes a cut with the same id, head, base and stats; then to
 * the live state, so outstanding work stays outstanding. Deleted versions keep their traces.
 *
 * Deterministic: the new documents are written with client ids derived from `projectId` and a
 * fingerprint of the old state, in a fixed order, so two runs over the same state (another
 * process, a retry) give byte-identical updates that merge into one project. Runs over
 * different states of the old project give disjoint ids and would merge into a doubled
 * project: the caller migrates once per project under a lock, from a log no longer appended to.
 * The documents returned then take fresh random client ids, so no later write reuses the fixed ones.
 */
export const migrateProject = (old: Y.Doc, options: MigrateOptions): Migrated => {
  requireMigratable(old)
  const count = options.shards ?? shardsFor(maps(old).items.size)
  if (!isShardCount(count)) throw new ValidationError(`Shard count must be a power of two from 1 to 1024, got ${count}`)
  const state = fingerprint(old)
  const clientId = (doc: string): number => fnv1a(`${options.projectId}:${state}:${doc}`)
  const root = shardedDoc({ schema: SHARDED_SCHEMA, shards: count }, clientId('root'))
  const shards = Array.from({ length: count }, (_, i) => shardedDoc(shardMeta(i, count), clientId(`shard ${i}`)))
  const p = shardedProject(root, memoryShards(shards))
  const skipped: SkippedVersion[] = []
  let at: Y.Snapshot = Y.emptySnapshot
  let versions = 0
  for (const v of listVersions(old)) {
    const snapshot = carried(old, v, skipped)
    if (!snapshot) continue
    replay({ old, root, shards }, at, snapshot)
    writeCut(p, pendingParts(p, shards), v.id, { name: v.name, description: v.description, by: v.by, at: v.at, kind: v.kind }, MIGRATION, { base: v.base, stats: v.stats })
    at = snapshot
    versions++
  }
  replay({ old, root, shards }, at, null)
  copyDeletedVersions(old, root)
  for (const doc of [root, ...shards]) doc.clientID = randomClientId()
  return { root, shards, versions, skipped }
}
