import type * as Y from 'yjs'
import type { ItemId, LabelId, VersionId } from './ids.ts'
import { type ClassRecord, type ItemRecord, type LabelRecord, type MetaRecord, type RunRecord, maps } from './project.ts'
import { changedKeys, sameValue, valueAt } from './changes.ts'
import { openVersion, versionSnapshot } from './versions.ts'
import { getRecord, sourceOf } from './source.ts'
import { labelsEverOn, tagsEverOn } from './byItem.ts'
import { tagKey } from './tags.ts'
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

/**
 * Lists every label and tag of an item that appears or disappears whole. The changed keys
 * alone miss a label that outlived a racing removal of its item and shows again once the
 * item is restored: its own key was not written between the two states. Reads only the
 * item's keys that are not listed yet.
 */
const completeWhole = (live: Y.Doc, d: ItemDiff, at: Y.Snapshot | null): void => {
  if (d.status === 'changed') return
  const side = d.status
  const m = maps(live)
  const listed = new Set(d.labels[side].map((l) => l.id))
  for (const id of labelsEverOn(live, d.id)) {
    if (listed.has(id)) continue
    const label = valueAt(m.labels, id, at)
    if (label?.itemId !== d.id) continue
    d.labels[side].push({ id, before: side === 'removed' ? label : null, after: side === 'added' ? label : null, moved: false, reclassified: false })
  }
  const tags = new Set(d.tags[side])
  for (const tag of tagsEverOn(live, d.id)) if (!tags.has(tag) && valueAt(m.tags, tagKey(d.id, tag), at) === true) d.tags[side].push(tag)
}

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
  const summary = summarize(live, a, b, keys)
  for (const id of [...summary.items.added, ...summary.items.removed, ...summary.items.changed]) entry(id)
  const labelChange = (id: LabelId): LabelDiff => {
    const before = valueAt(m.labels, id, a) ?? null
    const after = valueAt(m.labels, id, b) ?? null
    const moved = !!before && !!after && !sameValue(before.bbox, after.bbox)
    const reclassified = !!before && !!after && before.classId !== after.classId
    return { id, before, after, moved, reclassified }
  }
  for (const kind of ['added', 'removed', 'changed'] as const) {
    for (const id of summary.labels[kind]) {
      const change = labelChange(id)
      entry((change.after ?? change.before)?.itemId as ItemId).labels[kind].push(change)
    }
  }
  for (const ref of summary.tags.added) entry(ref.itemId).tags.added.push(ref.tag)
  for (const ref of summary.tags.removed) entry(ref.itemId).tags.removed.push(ref.tag)
  // A label or tag left behind by a removal that raced it belongs to no item on either side.
  const items = [...out.values()].filter((d) => d.before !== null || d.after !== null)
  for (const d of items) completeWhole(live, d, d.status === 'added' ? b : a)
  return { from, to, summary, items }
}

/** One keyed record on both sides of a comparison (null where it does not exist). */
export interface RecordChange<V> {
  id: string
  before: V | null
  after: V | null
}

/**
 * The item-level diff plus the values of the classes, runs and project fields that changed
 * (the diff's summary names only their ids): everything a comparison view shows, and enough
 * to turn the older state into the newer one (`applyDiff`).
 */
export interface VersionComparison extends ProjectDiff {
  classes: Array<RecordChange<ClassRecord>>
  runs: Array<RecordChange<RunRecord>>
  meta: Array<RecordChange<MetaRecord[keyof MetaRecord]>>
}

const docAt = (live: Y.Doc, ref: VersionRef): Y.Doc => (ref === 'latest' ? live : openVersion(live, ref))

/** Compares two versions (or a version and latest) with the changed values, in O(changes): reads only the changed keys. */
export const compareVersions = (doc: Y.Doc, from: VersionRef, to: VersionRef): VersionComparison => {
  const live = sourceOf(doc).doc
  const diff = diffVersions(live, from, to)
  const [a, b] = [sourceOf(docAt(live, from)), sourceOf(docAt(live, to))]
  const s = diff.summary
  const changed = <K extends 'classes' | 'runs' | 'meta'>(name: K, ids: string[]) =>
    ids.map((id) => ({ id, before: getRecord(a, name, id) ?? null, after: getRecord(b, name, id) ?? null }))
  return {
    ...diff,
    classes: changed('classes', [...s.classes.added, ...s.classes.removed, ...s.classes.changed]),
    runs: changed('runs', [...s.runs.added, ...s.runs.removed, ...s.runs.changed]),
    meta: changed('meta', s.meta),
  }
}
