import * as Y from 'yjs'
import { type Actor, type VersionId, newId } from '../ids.ts'
import { type VersionKind, type VersionRecord, maps, write } from '../project.ts'
import { NoChangesError } from '../errors.ts'
import { currentSnapshot } from '../deleteLog.ts'
import { type ChangeSummary, summarize } from '../summary.ts'
import { VERSION, type Version, statsFrom, toVersion, versionSnapshot } from '../versions.ts'
import { revertPlan } from '../revert.ts'
import { NAME, requireRecord, requireValue, trimmed } from '../rules.ts'
import { LOCAL, type Origin } from '../origins.ts'
import { CUT, type CutRecord, cutShards, lastCheckpoint, shardSnapshot } from './records.ts'
import { joinChanges, shardChanges } from './summary.ts'
import { type ShardedProject, allShards, refuseReadOnly, requireComplete } from './shards.ts'
import { liveOf } from './view.ts'

/** One shard's outstanding work: its document, the record the last checkpoint uses for it, and what changed since. */
export interface ShardPending {
  doc: Y.Doc
  base: VersionId | null
  summary: ChangeSummary
  /**
   * Whether any key differs from the base. Exact, where `summary.total` is not: the total
   * leaves out a shard's meta, a tag's value change and tag keys it cannot parse.
   */
  changed: boolean
}

/** The project's outstanding work against its last checkpoint, root and shards apart. */
export interface Pending {
  since: Version | null
  root: ChangeSummary
  shards: ShardPending[]
  total: number
}

/** What differs between the last checkpoint and the live project, per document, in O(changes) per shard. */
export const pendingParts = (p: ShardedProject, docs: readonly Y.Doc[]): Pending => {
  const since = lastCheckpoint(p)
  const records = since ? cutShards(p, since.id) : null
  const root = summarize(p.root, since ? versionSnapshot(p.root, since.id) : Y.emptySnapshot, null)
  const shards = docs.map((doc, i): ShardPending => {
    const base = records?.[i] ?? null
    const from = base ? shardSnapshot(doc, base, i) : Y.emptySnapshot
    return { doc, base, summary: shardChanges(summarize(doc, from, null)), changed: base === null || revertPlan(doc, from).length > 0 }
  })
  return { since, root, shards, total: shards.reduce((sum, s) => sum + s.summary.total, root.total) }
}

/** Outstanding changes of the whole project since the last checkpoint; reads the live project behind an opened version too. */
export const pendingChanges = async (p: ShardedProject): Promise<ChangeSummary & { since: Version | null }> => {
  const live = liveOf(p)
  const parts = pendingParts(live, await allShards(live))
  return { since: parts.since, ...joinChanges([parts.root, ...parts.shards.map((s) => s.summary)]) }
}

/** What a cut shows besides its counts: name, description, author, time and kind. */
export type Head = Pick<VersionRecord, 'name' | 'description' | 'by' | 'at' | 'kind'>

/** Writes shard `s`'s record of cut `id` when it changed since its base; answers the record the cut uses. */
const shardRecord = (s: ShardPending, id: VersionId, head: Head, origin: Origin): VersionId => {
  if (s.base !== null && !s.changed) return s.base
  const prev = s.base === null ? undefined : maps(s.doc).versions.get(s.base)?.stats
  const record: VersionRecord = { ...head, snapshot: Y.encodeSnapshotV2(currentSnapshot(s.doc)), base: s.base, stats: statsFrom(prev, s.summary) }
  write(s.doc, (m) => m.versions.set(id, requireRecord(VERSION, record)), origin)
  return id
}

/**
 * Writes cut `id` of `pending`'s documents: first a record in each shard that changed since the
 * last checkpoint (one transaction each), then the root's record naming every shard's (one
 * transaction), so a root record never names a shard record this replica lacks. The root
 * record's `base` and `stats` default to the last checkpoint and its counts moved by what
 * changed; a migration passes the ones the old version recorded. Refuses nothing: the caller
 * has checked the head, that every shard is complete and that nothing ran since `pending`.
 */
export const writeCut = (p: ShardedProject, pending: Pending, id: VersionId, head: Head, origin: Origin, counts?: Pick<VersionRecord, 'base' | 'stats'>): Version => {
  const shards = pending.shards.map((s) => shardRecord(s, id, head, origin))
  const { base, stats } = counts ?? {
    base: pending.since?.id ?? null,
    stats: statsFrom(pending.since?.stats, joinChanges([pending.root, ...pending.shards.map((s) => s.summary)])),
  }
  const record: CutRecord = { ...head, snapshot: Y.encodeSnapshotV2(currentSnapshot(p.root)), base, stats, shards }
  write(p.root, (m) => m.versions.set(id, requireRecord(CUT, record)), origin)
  const { shards: _, ...version } = toVersion(id, record) as Version & { shards: unknown }
  return version
}

/** Records a new cut of `pending`'s documents under a new id (see `writeCut`); a checkpoint with no changes is refused. */
export const recordCut = (p: ShardedProject, pending: Pending, input: { name: string; description?: string }, by: Actor, kind: VersionKind, origin: Origin): Version => {
  const name = requireValue(NAME, trimmed(input.name), 'Version name')
  if (kind === 'checkpoint' && pending.total === 0) {
    throw new NoChangesError(pending.since ? `No changes since version "${pending.since.name}"` : 'No changes to version yet')
  }
  const description = typeof input.description === 'string' ? input.description.trim() : ''
  const head: Head = { name, description, by: { id: by.id, name: by.name }, at: Date.now(), kind }
  return writeCut(p, pending, newId<VersionId>(), head, origin)
}

/** Loads every shard and checks that each is complete, before and after (a shard may fall behind while others load). */
export const completeShards = async (p: ShardedProject): Promise<Y.Doc[]> => {
  requireComplete(p.shards)
  const docs = await allShards(p)
  requireComplete(p.shards)
  return docs
}

/**
 * Checkpoints the whole project as a consistent cut. Refuses with `ShardsIncompleteError` while
 * this replica lacks part of a shard, and with `NoChangesError` when nothing changed in the
 * root or any shard. A shard unchanged since the last checkpoint gets no new record.
 */
export const createVersion = async (p: ShardedProject, input: { name: string; description?: string }, by: Actor, origin: Origin = LOCAL): Promise<Version> => {
  refuseReadOnly(p)
  const docs = await completeShards(p)
  return recordCut(p, pendingParts(p, docs), input, by, 'checkpoint', origin)
}
