import type * as Y from 'yjs'
import { type ContentName, type RecordOf, maps, markReadOnly, newProjectDoc } from './project.ts'
import type { VersionId } from './ids.ts'
import { mapEntriesAt, mapGetAt } from './snapshotRead.ts'

/** Where reads come from: the live document, or the live document as it was at a snapshot. */
export interface Source {
  doc: Y.Doc
  at: Y.Snapshot | null
  versionId: VersionId | null
}

const views = new WeakMap<Y.Doc, Source>()

/**
 * A read-only document standing for `doc` at `at`. It holds no content of its own: domain
 * reads on it go to the live document through snapshot-aware map reads, so opening costs
 * nothing and reads cost only what is shown. Writes on it throw `ReadOnlyError`.
 */
export const createView = (doc: Y.Doc, at: Y.Snapshot, versionId: VersionId): Y.Doc => {
  const view = newProjectDoc()
  markReadOnly(view)
  views.set(view, { doc, at, versionId })
  return view
}

/** The source behind `doc`: itself when live, the live doc and snapshot when it is a view. */
export const sourceOf = (doc: Y.Doc): Source => views.get(doc) ?? { doc, at: null, versionId: null }

/** One record as the source sees it. */
export const getRecord = <K extends ContentName>(src: Source, name: K, key: string): RecordOf<K> | undefined => {
  const map = maps(src.doc)[name] as unknown as Y.Map<RecordOf<K>>
  if (src.at === null) return map.get(key)
  return mapGetAt(map, key, src.at)
}

/** Every record of one map as the source sees it. */
export const allRecords = <K extends ContentName>(src: Source, name: K): Array<[string, RecordOf<K>]> => {
  const map = maps(src.doc)[name] as unknown as Y.Map<RecordOf<K>>
  if (src.at === null) return [...map.entries()]
  return mapEntriesAt(map, src.at)
}
