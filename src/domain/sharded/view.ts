import type * as Y from 'yjs'
import type { VersionId } from '../ids.ts'
import { createView } from '../source.ts'
import { versionSnapshot } from '../versions.ts'
import { cutShards, shardSnapshot } from './records.ts'
import type { ShardedProject, Shards } from './shards.ts'

const opened = new WeakMap<Y.Doc, ShardedProject>()

/** The live project behind `p`: itself, or the project an opened version was opened from. */
export const liveOf = (p: ShardedProject): ShardedProject => opened.get(p.root) ?? p

/** An opened version's shards: each a read-only view of the live shard at the cut's record, made when first reached. */
const viewShards = (live: Shards, records: readonly VersionId[], versionId: VersionId): Shards => {
  const views = new Map<number, Y.Doc>()
  const view = (i: number, doc: Y.Doc): Y.Doc => {
    let v = views.get(i)
    if (!v) views.set(i, (v = createView(doc, shardSnapshot(doc, records[i] as VersionId, i), versionId)))
    return v
  }
  return {
    count: live.count,
    held: (i) => {
      const doc = live.held(i)
      return doc && view(i, doc)
    },
    open: async (i) => view(i, await live.open(i)),
    complete: (i) => live.complete(i),
  }
}

/**
 * Opens a version read-only: the root as it was, and each shard as it was once it is reached,
 * so opening loads nothing and reading one item loads only its shard. Writes through the
 * domain throw `ReadOnlyError`. Throws `VersionNotAvailableError` (here for the root, on first
 * reach for a shard) while part of the version has not arrived.
 */
export const openVersion = (p: ShardedProject, versionId: VersionId): ShardedProject => {
  const live = liveOf(p)
  const root = createView(live.root, versionSnapshot(live.root, versionId), versionId)
  const version: ShardedProject = { root, shards: viewShards(live.shards, cutShards(live, versionId), versionId) }
  opened.set(root, live)
  return version
}
