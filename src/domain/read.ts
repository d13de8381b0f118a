import type * as Y from 'yjs'
import type { ClassId, ItemId, LabelId, RunId } from './ids.ts'
import type { ClassRecord, ItemRecord, LabelRecord, MetaRecord, RunRecord } from './project.ts'
import { type Source, allRecords, getRecord, sourceOf } from './source.ts'
import { parseTagKey } from './tags.ts'

export type LabelJson = { id: LabelId } & Omit<LabelRecord, 'itemId'>
export type ItemJson = { id: ItemId } & ItemRecord & { tags: string[]; labels: LabelJson[] }
export type ClassJson = { id: ClassId } & ClassRecord
export type RunJson = { id: RunId } & RunRecord

/** A whole project as plain values: what views, exports and diffs read. */
export interface ProjectJson {
  meta: MetaRecord
  classes: ClassJson[]
  items: ItemJson[]
  runs: RunJson[]
}

const byTimeThenId = <T extends { id: string }>(time: (x: T) => number) => (a: T, b: T): number =>
  time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Labels in the order they were drawn. */
export const sortLabels = (labels: LabelJson[]): LabelJson[] => labels.sort(byTimeThenId((l) => l.at))

/** The order items are shown in: oldest first, ties broken by id. */
export const sortItems = <T extends { id: string; addedAt: number }>(items: T[]): T[] => items.sort(byTimeThenId((i) => i.addedAt))

/** The project's name and schema as the source sees them. */
const readMeta = (src: Source): MetaRecord => ({
  schema: Number(getRecord(src, 'meta', 'schema') ?? 0),
  name: String(getRecord(src, 'meta', 'name') ?? ''),
  createdAt: Number(getRecord(src, 'meta', 'createdAt') ?? 0),
  ...cocoMeta(getRecord(src, 'meta', 'coco')),
})

const cocoMeta = (v: unknown): { coco?: string } => (typeof v === 'string' ? { coco: v } : {})

/** Every class, sorted by name. */
const readClasses = (src: Source): ClassJson[] =>
  allRecords(src, 'classes')
    .map(([id, c]) => ({ id: id as ClassId, name: c.name, color: c.color, ...(c.coco ? { coco: c.coco } : {}) }))
    .sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1))

/** Every class of a document (live or an opened version), sorted by name. */
export const listClasses = (doc: Y.Doc): ClassJson[] => readClasses(sourceOf(doc))

/** Every prediction run, oldest first. */
const readRuns = (src: Source): RunJson[] =>
  allRecords(src, 'runs')
    .map(([id, r]) => ({ id: id as RunId, ...r }))
    .sort(byTimeThenId((r) => r.createdAt))

/** Materialises the whole project; for an opened version, as it was at that version. */
export const readProject = (doc: Y.Doc): ProjectJson => {
  const src = sourceOf(doc)
  const items = new Map<string, ItemJson>()
  for (const [id, record] of allRecords(src, 'items')) items.set(id, { id: id as ItemId, ...record, tags: [], labels: [] })
  // A label or tag whose item is gone (a removal raced an edit elsewhere) is not shown.
  for (const [id, label] of allRecords(src, 'labels')) {
    const { itemId, ...rest } = label
    items.get(itemId)?.labels.push({ id: id as LabelId, ...rest })
  }
  for (const [key] of allRecords(src, 'tags')) {
    const ref = parseTagKey(key)
    if (ref) items.get(ref.itemId)?.tags.push(ref.tag)
  }
  for (const item of items.values()) {
    item.tags.sort()
    sortLabels(item.labels)
  }
  return { meta: readMeta(src), classes: readClasses(src), items: sortItems([...items.values()]), runs: readRuns(src) }
}
