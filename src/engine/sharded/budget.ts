import { StrataError } from '../../domain/index.ts'

/**
 * How much of a sharded project the engine keeps loaded at once: at most `shards` shard
 * documents, and (as a target) about `bytes` of their stored updates, an estimate of their
 * memory that costs nothing to keep (Yjs holds several times that in structs).
 */
export interface ShardBudget {
  shards: number
  bytes: number
}

/** Unmeasured defaults: 64 shards of ~4,000 items, or about 200 MB of stored updates. */
export const DEFAULT_BUDGET: ShardBudget = { shards: 64, bytes: 200_000_000 }

/** A shard cannot be loaded: every one held is pinned or in use, and the budget is reached. */
export class ShardBudgetError extends StrataError {
  override name = 'ShardBudgetError'
}

/** What the budget needs to know of one loaded shard. */
export interface Candidate {
  index: number
  /** Order of last use: lower was used longer ago. */
  used: number
  bytes: number
  /** Pinned by a caller, in use by an operation under way, being released, or holding a change that failed to store. */
  kept: boolean
}

/** The least recently used shard that may be released, or null when every one is kept. */
export const leastRecentlyUsed = (held: Iterable<Candidate>): Candidate | null => {
  let best: Candidate | null = null
  for (const c of held) if (!c.kept && (best === null || c.used < best.used)) best = c
  return best
}

