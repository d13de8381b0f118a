import * as Y from 'yjs'
import type { Actor, ClassId, ItemId, VersionId } from './ids.ts'
import { HistoryNotKeptError, ReadOnlyError } from './errors.ts'
import { LOCAL, type Origin } from './origins.ts'
import type { CocoClassRef, CocoLabelRef, CocoRef } from './cocoRef.ts'

/** The single-document layout, recorded in `meta.schema`; sharded projects record 2, and `sharded/migrate.ts` migrates a schema-1 project to them. */
export const SCHEMA = 1

export type BBox = [x: number, y: number, w: number, h: number]

export interface MetaRecord {
  schema: number
  name: string
  createdAt: number
  /** JSON text of a COCO file's top-level fields besides its lists (info, licenses, …). */
  coco?: string
}
export interface ClassRecord {
  name: string
  color: string
  /** Set when the class came from a COCO category. */
  coco?: CocoClassRef
}
export interface ItemRecord {
  name: string
  blob: string
  mime: string
  width: number
  height: number
  addedAt: number
  addedBy: Actor
  /** Set when the item came from a COCO image. */
  coco?: CocoRef
}
export interface LabelRecord {
  itemId: ItemId
  classId: ClassId
  bbox: BBox
  by: Actor
  at: number
  /** Set when the label came from a COCO annotation. */
  coco?: CocoLabelRef
}
export interface RunRecord {
  name: string
  model: string
  blob: string
  count: number
  createdAt: number
  by: Actor
}
/** How a version came to be: made by a person, or recorded before a discard or a restore. */
export const VERSION_KINDS = ['checkpoint', 'discarded', 'restored'] as const
export type VersionKind = (typeof VERSION_KINDS)[number]
export interface VersionStats {
  items: number
  labels: number
  tags: number
  runs: number
  classes: number
  added: number
  removed: number
  changed: number
}
export interface VersionRecord {
  name: string
  description: string
  by: Actor
  at: number
  kind: VersionKind
  snapshot: Uint8Array
  /** The checkpoint this one was compared with when it was made (null for the first). */
  base: VersionId | null
  stats: VersionStats
}

/**
 * What is left of a deleted version: what it was (name, author, time, kind) and who deleted
 * it when, so whoever was viewing it, or follows a link to it, is told by name. Kept in its
 * own map: an older client that knows nothing of it still reads `versions` as before.
 */
export interface DeletedVersionRecord {
  name: string
  by: Actor
  at: number
  kind: VersionKind
  deletedBy: Actor
  deletedAt: number
}

/**
 * The flat layout: every record is a plain value directly under a top-level map, so a
 * project costs one Yjs struct per record and every change is found by its map key.
 * Tags are keyed `${itemId}:${tag}`; a label names its item.
 */
export interface ProjectMaps {
  meta: Y.Map<MetaRecord[keyof MetaRecord]>
  classes: Y.Map<ClassRecord>
  items: Y.Map<ItemRecord>
  labels: Y.Map<LabelRecord>
  tags: Y.Map<true>
  runs: Y.Map<RunRecord>
  versions: Y.Map<VersionRecord>
  deletedVersions: Y.Map<DeletedVersionRecord>
}

/** The maps that make up a version's content (`versions` and `deletedVersions` are not versioned). */
export const CONTENT = ['meta', 'classes', 'items', 'labels', 'tags', 'runs'] as const
export type ContentName = (typeof CONTENT)[number]
export type RecordOf<K extends ContentName> = ProjectMaps[K] extends Y.Map<infer V> ? V : never

/** The project's top-level maps. */
export const maps = (doc: Y.Doc): ProjectMaps => ({
  meta: doc.getMap('meta'),
  classes: doc.getMap('classes'),
  items: doc.getMap('items'),
  labels: doc.getMap('labels'),
  tags: doc.getMap('tags'),
  runs: doc.getMap('runs'),
  versions: doc.getMap('versions'),
  deletedVersions: doc.getMap('deletedVersions'),
})

/** Throws if `doc` garbage-collects deleted content: versions would silently lose their data. */
export const assertHistoryKept = (doc: Y.Doc): void => {
  if (doc.gc) throw new HistoryNotKeptError('This document has garbage collection on (gc: true); Strata needs gc: false to keep versions')
}

/** A document set up the way every Strata replica must be. */
export const newProjectDoc = (): Y.Doc => new Y.Doc({ gc: false })

const readOnly = new WeakSet<Y.Doc>()

/** Marks a document as an old version: every domain write on it throws `ReadOnlyError`. */
export const markReadOnly = (doc: Y.Doc): void => {
  readOnly.add(doc)
}

/** True when domain writes on `doc` are refused. */
export const isReadOnly = (doc: Y.Doc): boolean => readOnly.has(doc)

/** Runs one user action as one transaction, after refusing read-only and garbage-collected docs. */
export const write = <T>(doc: Y.Doc, fn: (m: ProjectMaps) => T, origin: Origin = LOCAL): T => {
  if (isReadOnly(doc)) throw new ReadOnlyError()
  assertHistoryKept(doc)
  let result: T | undefined
  doc.transact(() => {
    result = fn(maps(doc))
  }, origin)
  return result as T
}
