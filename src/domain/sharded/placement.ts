/** 32-bit FNV-1a of a string's UTF-16 code units: stable across runtimes, no dependency. */
export const fnv1a = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** The fewest and most shards `shardsFor` picks, and the count of a new project. */
export const MIN_SHARDS = 16
export const MAX_SHARDS = 1024
export const DEFAULT_SHARDS = 16

/** Items per shard the measurements favoured (BENCHMARKS.md, "Issue 13: shard layouts measured"). */
const ITEMS_PER_SHARD = 4000

/** True for a shard count a project may have: a power of two from 1 to `MAX_SHARDS`. */
export const isShardCount = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_SHARDS && (n & (n - 1)) === 0

/**
 * The shard an item, its labels and its tags live in. With a power-of-two count the low bits
 * decide, so going from S to 4S would split each shard into four and move no item between the
 * old shards.
 */
export const shardOf = (itemId: string, count: number): number => fnv1a(itemId) & (count - 1)

/**
 * The shard count for an import of `expectedItems` into an empty project: the power of two
 * nearest (by ratio) to one shard per 4,000 items, from 16 to 1,024.
 */
export const shardsFor = (expectedItems: number): number => {
  const exponent = Math.round(Math.log2(Math.max(expectedItems, 1) / ITEMS_PER_SHARD))
  return Math.min(MAX_SHARDS, Math.max(MIN_SHARDS, 2 ** exponent))
}
