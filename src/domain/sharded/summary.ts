import type { ChangeSummary, KeyChanges } from '../summary.ts'

/** A shard's part of a summary: its items, labels and tags (its `meta` only says where it is, written once). */
export const shardChanges = (s: ChangeSummary): ChangeSummary => ({ ...s, meta: [], total: s.total - s.meta.length })

const joinKeys = <Id extends string>(parts: ReadonlyArray<KeyChanges<Id>>): KeyChanges<Id> => ({
  added: parts.flatMap((k) => k.added),
  removed: parts.flatMap((k) => k.removed),
  changed: parts.flatMap((k) => k.changed),
})

/** Several documents' summaries as one: ids never repeat across the root and the shards, so the lists join. */
export const joinChanges = (parts: readonly ChangeSummary[]): ChangeSummary => ({
  meta: parts.flatMap((s) => s.meta).sort(),
  classes: joinKeys(parts.map((s) => s.classes)),
  items: joinKeys(parts.map((s) => s.items)),
  labels: joinKeys(parts.map((s) => s.labels)),
  tags: { added: parts.flatMap((s) => s.tags.added), removed: parts.flatMap((s) => s.tags.removed) },
  runs: joinKeys(parts.map((s) => s.runs)),
  total: parts.reduce((sum, s) => sum + s.total, 0),
})
