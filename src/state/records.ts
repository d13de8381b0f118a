import * as Y from 'yjs'
import { maps, sourceOf, type ProjectMaps } from '../domain/index.ts'

type Content = Exclude<keyof ProjectMaps, 'versions'>
type RecordIn<K extends Content> = ProjectMaps[K] extends Y.Map<infer V> ? V : never

/**
 * Every record of one top-level map as `doc` shows it: the live map, or for an opened
 * version a snapshot-aware read of the live map (keyed maps only, as DESIGN.md allows).
 * Lets views read classes, runs or tags without materialising the whole project.
 */
export const recordsOf = <K extends Content>(doc: Y.Doc, name: K): Array<[string, RecordIn<K>]> => {
  const src = sourceOf(doc)
  const map = maps(src.doc)[name] as unknown as Y.Map<RecordIn<K>>
  if (src.at === null) return [...map.entries()]
  return Object.entries(Y.typeMapGetAllSnapshot(map as Y.AbstractType<unknown>, src.at)) as Array<[string, RecordIn<K>]>
}

/** One meta field as `doc` shows it. */
export const metaOf = (doc: Y.Doc, key: 'name' | 'createdAt' | 'schema'): unknown => {
  const src = sourceOf(doc)
  const map = maps(src.doc).meta
  return src.at === null ? map.get(key) : Y.typeMapGetSnapshot(map as Y.AbstractType<unknown>, key, src.at)
}
