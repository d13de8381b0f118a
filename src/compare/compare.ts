import type * as Y from 'yjs'
import {
  type ClassRecord,
  type MetaRecord,
  type ProjectDiff,
  type RunRecord,
  type VersionRef,
  diffVersions,
  getRecord,
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

/** Compares two versions (or a version and latest) in O(changes): reads only the changed keys. */
export const compareVersions = (doc: Y.Doc, from: VersionRef, to: VersionRef): VersionComparison => {
  const live = sourceOf(doc).doc
  const diff = diffVersions(live, from, to)
  const [before, after] = [docAt(live, from), docAt(live, to)]
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
