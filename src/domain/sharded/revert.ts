import type * as Y from 'yjs'
import type { Actor, VersionId } from '../ids.ts'
import { maps, write } from '../project.ts'
import { NoChangesError, StrataError } from '../errors.ts'
import { type Version, versionSnapshot } from '../versions.ts'
import { type RevertWrite, applyPlan, revertPlan } from '../revert.ts'
import { REVERT } from '../origins.ts'
import { cutShards, lastCheckpoint, shardSnapshot } from './records.ts'
import { completeShards, pendingParts, recordCut } from './cut.ts'
import { type ShardedProject, refuseReadOnly } from './shards.ts'

/** Writes one document's plan as its own transaction; a document with nothing to write is not touched. */
const applyIn = (doc: Y.Doc, plan: RevertWrite[]): number => (plan.length === 0 ? 0 : write(doc, () => applyPlan(plan), REVERT))

const requireCheckpoint = (last: Version | null): Version => {
  if (!last) throw new StrataError('There is no version to go back to yet: create a first version before discarding changes')
  return last
}

/**
 * Throws away the outstanding changes: first records them as a cut of kind `discarded` (so
 * they can be restored), then reverts the root and each changed shard to the last checkpoint,
 * one transaction per document, writing only the keys that changed. Shards unchanged since it
 * are not touched. Were this interrupted between shards, the discarded cut already holds the
 * work and a second discard finishes the rest.
 */
export const discardChanges = async (p: ShardedProject, by: Actor): Promise<Version & { reverted: number }> => {
  refuseReadOnly(p)
  requireCheckpoint(lastCheckpoint(p))
  const pending = pendingParts(p, await completeShards(p))
  const last = requireCheckpoint(pending.since)
  if (pending.total === 0) throw new NoChangesError(`No changes since version "${last.name}" to discard`)
  const version = recordCut(p, pending, { name: `Discarded changes after "${last.name}"` }, by, 'discarded', REVERT)
  let reverted = applyIn(p.root, revertPlan(p.root, versionSnapshot(p.root, last.id)))
  for (const [i, s] of pending.shards.entries()) {
    if (s.changed && s.base !== null) reverted += applyIn(s.doc, revertPlan(s.doc, shardSnapshot(s.doc, s.base, i)))
  }
  return { ...version, reverted }
}

/**
 * Makes the live project equal to an old version: records the state it leaves as a cut of
 * kind `restored`, then reverts the root and each shard to the version's record of it, one
 * transaction per document that differs from it.
 */
export const restoreVersion = async (p: ShardedProject, versionId: VersionId, by: Actor): Promise<Version & { reverted: number }> => {
  refuseReadOnly(p)
  const target = versionSnapshot(p.root, versionId)
  const records = cutShards(p, versionId)
  const docs = await completeShards(p)
  const rootPlan = revertPlan(p.root, target)
  const plans = docs.map((doc, i) => revertPlan(doc, shardSnapshot(doc, records[i] as VersionId, i)))
  const name = maps(p.root).versions.get(versionId)?.name ?? versionId
  if (rootPlan.length === 0 && plans.every((plan) => plan.length === 0)) throw new NoChangesError(`Latest already matches version "${name}"`)
  const version = recordCut(p, pendingParts(p, docs), { name: `Before restoring "${name}"` }, by, 'restored', REVERT)
  const reverted = plans.reduce((sum, plan, i) => sum + applyIn(docs[i] as Y.Doc, plan), applyIn(p.root, rootPlan))
  return { ...version, reverted }
}
