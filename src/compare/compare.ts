import type * as Y from 'yjs'
import {
  type ClassRecord,
  type MetaRecord,
  type ProjectDiff,
  type RunRecord,
  type VersionRef,
  type ItemDiff,
  type ItemId,
  type ItemJson,
  type LabelRecord,
  diffVersions,
  getRecord,
  readItem,
  openVersion,
  sourceOf,
} from '../domain/index.ts'

/** One keyed record on both sides of a comparison (null where it does not exist). */
export interface RecordChange<V> {
  id: string
  before: V | null
  after: V | null
}

/**
 * The domain's item-level diff plus the values of the classes, runs and project fields
 * that changed (the diff's summary names only their ids): everything a comparison view
 * shows, and enough to turn the older state into the newer one.
 */
export interface VersionComparison extends ProjectDiff {
  classes: Array<RecordChange<ClassRecord>>
  runs: Array<RecordChange<RunRecord>>
  meta: Array<RecordChange<MetaRecord[keyof MetaRecord]>>
}

const docAt = (live: Y.Doc, ref: VersionRef): Y.Doc => (ref === 'latest' ? live : openVersion(live, ref))

/**
 * Fills in the labels and tags of an item that appears or disappears whole. The domain's
 * diff lists only the keys written between the two states, so a label that outlived a
 * racing removal of its item, and shows again once the item is restored, is not in it.
 */
const completeWhole = (d: ItemDiff, whole: ItemJson | null): void => {
  if (!whole || d.status === 'changed') return
  const side = d.status === 'added' ? 'added' : 'removed'
  const listed = new Set(d.labels[side].map((l) => l.id))
  for (const { id, ...rest } of whole.labels) {
    if (listed.has(id)) continue
    const record: LabelRecord = { itemId: d.id, ...rest }
    d.labels[side].push({ id, before: side === 'removed' ? record : null, after: side === 'added' ? record : null, moved: false, reclassified: false })
  }
  const tags = new Set(d.tags[side])
  d.tags[side].push(...whole.tags.filter((t) => !tags.has(t)))
}

/** Compares two versions (or a version and latest) in O(changes): reads only the changed keys. */
export const compareVersions = (doc: Y.Doc, from: VersionRef, to: VersionRef): VersionComparison => {
  const live = sourceOf(doc).doc
  const diff = diffVersions(live, from, to)
  const [before, after] = [docAt(live, from), docAt(live, to)]
  for (const d of diff.items) completeWhole(d, readItem(d.status === 'added' ? after : before, d.id as ItemId))
  const [a, b] = [sourceOf(before), sourceOf(after)]
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
