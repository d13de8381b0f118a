import type * as Y from 'yjs'
import { type ChangeSummary, type ItemDiff, diffVersions, pendingChanges } from '../domain/index.ts'
import type { ChangedItemLine, PendingTopic } from './protocol.ts'

/** Changed items described in the Version tab (and the discard dialog's shorter list). */
const LINES = 30

const n = (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString()} ${count === 1 ? one : many}`

/** One changed item in words: "item added · 2 boxes moved · tagged review". */
export const describeItem = (d: ItemDiff): ChangedItemLine => {
  const parts: string[] = []
  if (d.status !== 'changed') parts.push(`item ${d.status}`)
  if (d.fields.length) parts.push(`${d.fields.join(', ')} changed`)
  const l = d.labels
  if (l.added.length) parts.push(`${n(l.added.length, 'box', 'boxes')} added`)
  if (l.removed.length) parts.push(`${n(l.removed.length, 'box', 'boxes')} removed`)
  if (l.changed.length) parts.push(`${n(l.changed.length, 'box', 'boxes')} ${l.changed.some((c) => c.reclassified) ? 'edited' : 'moved'}`)
  if (d.tags.added.length) parts.push(`tagged ${d.tags.added.join(', ')}`)
  if (d.tags.removed.length) parts.push(`untagged ${d.tags.removed.join(', ')}`)
  return { id: d.id, name: d.after?.name ?? d.before?.name ?? d.id, status: d.status, text: parts.join(' · ') }
}

/** The change counts per kind of record, as the Version tab and Compare tabulate them. */
export const changeRows = (s: ChangeSummary): PendingTopic['rows'] => [
  { what: 'Items', added: s.items.added.length, removed: s.items.removed.length, changed: s.items.changed.length },
  { what: 'Labels', added: s.labels.added.length, removed: s.labels.removed.length, changed: s.labels.changed.length },
  { what: 'Tags', added: s.tags.added.length, removed: s.tags.removed.length, changed: 0 },
  { what: 'Runs', added: s.runs.added.length, removed: s.runs.removed.length, changed: s.runs.changed.length },
  { what: 'Classes', added: s.classes.added.length, removed: s.classes.removed.length, changed: s.classes.changed.length },
]

/** Latest's outstanding changes since the last version, O(changes). */
export const pendingOf = (live: Y.Doc): PendingTopic => {
  try {
    const p = pendingChanges(live)
    const diff = p.since ? diffVersions(live, p.since.id, 'latest') : null
    const items = diff?.items ?? []
    return {
      since: p.since,
      total: p.total,
      rows: changeRows(p),
      lines: items.slice(0, LINES).map(describeItem),
      more: Math.max(0, items.length - LINES),
      runs: { added: p.runs.added.length, removed: p.runs.removed.length },
      classes: { added: p.classes.added.length, changed: p.classes.changed.length, removed: p.classes.removed.length },
      error: null,
    }
  } catch (e) {
    return { since: null, total: 0, rows: [], lines: [], more: 0, runs: { added: 0, removed: 0 }, classes: { added: 0, changed: 0, removed: 0 }, error: e instanceof Error ? e.message : String(e) }
  }
}
