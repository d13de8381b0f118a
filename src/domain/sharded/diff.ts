import type * as Y from 'yjs'
import type { VersionId } from '../ids.ts'
import * as Diff from '../diff.ts'
import { cutShards, shardSnapshot } from './records.ts'
import { joinChanges, shardChanges } from './summary.ts'
import type { ShardedProject } from './shards.ts'
import { liveOf } from './view.ts'

type Ref = Diff.VersionRef

/** Per shard, the record each side uses ('latest' for the live shard). */
const sides = (live: ShardedProject, ref: Ref): Array<VersionId | 'latest'> =>
  ref === 'latest' ? Array.from({ length: live.shards.count }, () => 'latest') : cutShards(live, ref)

/**
 * Runs `compare` on every shard whose two sides differ, with that shard's records of them.
 * Two sides that use the same shard record (a shard unchanged between the cuts) are not
 * loaded at all.
 */
const perShard = async <T>(p: ShardedProject, from: Ref, to: Ref, compare: (doc: Y.Doc, a: VersionId | 'latest', b: VersionId | 'latest') => T): Promise<T[]> => {
  const live = liveOf(p)
  const [a, b] = [sides(live, from), sides(live, to)]
  const parts = await Promise.all(a.map(async (ra, i) => {
    const rb = b[i] ?? 'latest'
    if (ra === rb) return null
    const doc = await live.shards.open(i)
    // Say "not here yet" rather than "not found" for a shard record still on its way.
    for (const r of [ra, rb]) if (r !== 'latest') shardSnapshot(doc, r, i)
    return compare(doc, ra, rb)
  }))
  return parts.filter((part): part is Awaited<T> => part !== null)
}

const joinDiffs = (root: Diff.ProjectDiff, shards: readonly Diff.ProjectDiff[]): Diff.ProjectDiff => ({
  from: root.from,
  to: root.to,
  summary: joinChanges([root.summary, ...shards.map((d) => shardChanges(d.summary))]),
  items: shards.flatMap((d) => d.items),
})

/** Compares two versions (or a version and `'latest'`) item by item, shard by shard, in O(changes). */
export const diffVersions = async (p: ShardedProject, from: Ref, to: Ref): Promise<Diff.ProjectDiff> => {
  const root = Diff.diffVersions(liveOf(p).root, from, to)
  return joinDiffs(root, await perShard(p, from, to, Diff.diffVersions))
}

/** The item-level diff plus the changed classes, runs and project fields with their values (what `applyDiff` needs). */
export const compareVersions = async (p: ShardedProject, from: Ref, to: Ref): Promise<Diff.VersionComparison> => {
  const root = Diff.compareVersions(liveOf(p).root, from, to)
  const shards = await perShard(p, from, to, Diff.diffVersions)
  return { ...joinDiffs(root, shards), classes: root.classes, runs: root.runs, meta: root.meta }
}
