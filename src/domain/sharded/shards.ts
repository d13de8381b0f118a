import type * as Y from 'yjs'
import { NotFoundError, ReadOnlyError, ShardsIncompleteError } from '../errors.ts'
import { isReadOnly } from '../project.ts'
import { shardOf } from './placement.ts'

/**
 * How the domain reaches a project's shard documents. Passed in, so the engine can back it
 * with IndexedDB and sync, and tests with memory.
 */
export interface Shards {
  /** How many shards the project has: a power of two, fixed when it was created. */
  readonly count: number
  /** Shard `i` if it is loaded now, else null. */
  held(i: number): Y.Doc | null
  /** Shard `i`, loading it first when it is not held. */
  open(i: number): Promise<Y.Doc>
  /** Whether this replica holds everything of shard `i` it has heard of: versions are cut only then. */
  complete(i: number): boolean
}

/** A sharded project: its root document and the way to its shards. An opened version has the same shape, read-only. */
export interface ShardedProject {
  root: Y.Doc
  shards: Shards
}

/** Shards all held in memory; `complete` says which are complete (every one, unless told). */
export const memoryShards = (docs: readonly Y.Doc[], complete: (i: number) => boolean = () => true): Shards => ({
  count: docs.length,
  held: (i) => docs[i] ?? null,
  open: (i) => {
    const doc = docs[i]
    return doc ? Promise.resolve(doc) : Promise.reject(new NotFoundError(`No shard ${i} of ${docs.length}`))
  },
  complete,
})

/** The shard index of an item. */
export const shardIndex = (p: ShardedProject, itemId: string): number => shardOf(itemId, p.shards.count)

/** The shard that holds (or will hold) `itemId`, loaded. */
export const itemShard = (p: ShardedProject, itemId: string): Promise<Y.Doc> => p.shards.open(shardIndex(p, itemId))

/** Every shard, loaded (in parallel where the backing store can). */
export const allShards = (p: ShardedProject): Promise<Y.Doc[]> => Promise.all(Array.from({ length: p.shards.count }, (_, i) => p.shards.open(i)))

/** Refuses a write on an opened version before any shard is loaded for it. */
export const refuseReadOnly = (p: ShardedProject): void => {
  if (isReadOnly(p.root)) throw new ReadOnlyError()
}

/** Throws `ShardsIncompleteError` naming the shards this replica does not yet hold all of. */
export const requireComplete = (shards: Shards): void => {
  const missing: number[] = []
  for (let i = 0; i < shards.count; i++) if (!shards.complete(i)) missing.push(i)
  if (missing.length === 0) return
  const which = missing.length > 8 ? `${missing.slice(0, 8).join(', ')}, …` : missing.join(', ')
  throw new ShardsIncompleteError(
    `${missing.length} of ${shards.count} shards have not fully reached this device yet (shard ${which}); a version can be made once they have synced`,
    missing,
  )
}
