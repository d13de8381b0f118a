import * as Y from 'yjs'
import type { LogRow } from './types.ts'

/** The base row is merged too once the rows after it reach a tenth of its size. */
const FULL_MERGE_RATIO = 10

/** What a compaction replaces: the rows from `first` to `last` (seqs, inclusive) by `merged`. */
export interface CompactionPlan {
  first: number
  last: number
  merged: Uint8Array
}

/**
 * Which rows of a room's log to merge, and the merged update; null when there is nothing to
 * merge. Tiered: the big first row is left alone while the rows after it are small next to it,
 * because merging a 100 MB base costs seconds of a blocked event loop for every room. The
 * merged row is stored at `last`, the highest seq it replaces (see the Storage contract).
 */
export const planCompaction = (rows: readonly LogRow[]): CompactionPlan | null => {
  const [base, ...tail] = rows
  if (base === undefined || tail.length === 0) return null
  const tailBytes = tail.reduce((n, r) => n + r.data.byteLength, 0)
  const parts = tailBytes * FULL_MERGE_RATIO >= base.data.byteLength ? rows : tail
  const first = parts[0]
  const last = parts.at(-1)
  if (first === undefined || last === undefined || parts.length < 2) return null
  // mergeUpdates only concatenates and dedupes structs: nothing is garbage-collected.
  return { first: first.seq, last: last.seq, merged: Y.mergeUpdates(parts.map((r) => r.data)) }
}
