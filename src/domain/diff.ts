import type * as Y from 'yjs'
import type { ItemId, LabelId, VersionId } from './ids.ts'
import { type ItemRecord, type LabelRecord, maps } from './project.ts'
import { changedKeys, sameValue, valueAt } from './changes.ts'
import { versionSnapshot } from './versions.ts'
import { sourceOf } from './source.ts'
import { parseTagKey } from './tags.ts'
import { type ChangeSummary, summarize } from './summary.ts'

export type VersionRef = VersionId | 'latest'

export interface LabelDiff {
  id: LabelId
  before: LabelRecord | null
  after: LabelRecord | null
  moved: boolean
  reclassified: boolean
}

/** How one item differs between two states. */
export interface ItemDiff {
  id: ItemId
  status: 'added' | 'removed' | 'changed'
  before: ItemRecord | null
  after: ItemRecord | null
  /** Item fields whose value changed (name, blob, …). */
  fields: string[]
  labels: { added: LabelDiff[]; removed: LabelDiff[]; changed: LabelDiff[] }
  tags: { added: string[]; removed: string[] }
}

/** An item-level diff plus the record-level summary of the same change. */
export interface ProjectDiff {
  from: VersionRef
  to: VersionRef
  summary: ChangeSummary
  items: ItemDiff[]
}

const resolve = (doc: Y.Doc, ref: VersionRef): Y.Snapshot | null => (ref === 'latest' ? null : versionSnapshot(doc, ref))

const emptyItem = (id: ItemId, before: ItemRecord | null, after: ItemRecord | null): ItemDiff => ({
  id,
  status: before === null ? 'added' : after === null ? 'removed' : 'changed',
  before,
  after,
  fields: before && after ? (Object.keys(after) as Array<keyof ItemRecord>).filter((k) => !sameValue(before[k], after[k])) : [],
  labels: { added: [], removed: [], changed: [] },
  tags: { added: [], removed: [] },
})

/** Compares two versions (or a version and `'latest'`) item by item, in O(changes). */
export const diffVersions = (doc: Y.Doc, from: VersionRef, to: VersionRef): ProjectDiff => {
  const live = sourceOf(doc).doc
  const a = resolve(live, from)
  const b = resolve(live, to)
  const m = maps(live)
  const out = new Map<ItemId, ItemDiff>()
  const keys = changedKeys(live, a, b)
  const entry = (id: ItemId): ItemDiff => {
    let d = out.get(id)
    if (!d) out.set(id, (d = emptyItem(id, valueAt(m.items, id, a) ?? null, valueAt(m.items, id, b) ?? null)))
    return d
  }
  for (const id of keys.items) entry(id as ItemId)
  for (const id of keys.labels) {
    const before = valueAt(m.labels, id, a) ?? null
    const after = valueAt(m.labels, id, b) ?? null
    if (sameValue(before, after)) continue
    const itemId = (after ?? before)?.itemId as ItemId
    const moved = !!before && !!after && !sameValue(before.bbox, after.bbox)
    const reclassified = !!before && !!after && before.classId !== after.classId
    const change: LabelDiff = { id: id as LabelId, before, after, moved, reclassified }
    const labels = entry(itemId).labels
    if (!before) labels.added.push(change)
    else if (!after) labels.removed.push(change)
    else labels.changed.push(change)
  }
  for (const key of keys.tags) {
    const ref = parseTagKey(key)
    const before = valueAt(m.tags, key, a)
    const after = valueAt(m.tags, key, b)
    if (!ref || before === after) continue
    entry(ref.itemId).tags[after ? 'added' : 'removed'].push(ref.tag)
  }
  const items = [...out.values()].filter(
    (d) => d.status !== 'changed' || d.fields.length || d.labels.added.length || d.labels.removed.length || d.labels.changed.length || d.tags.added.length || d.tags.removed.length,
  )
  return { from, to, summary: summarize(live, a, b), items }
}
