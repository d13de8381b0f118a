import type * as Y from 'yjs'
import type { ItemId, LabelId } from './ids.ts'
import { type LabelRecord, maps } from './project.ts'
import { parseTagKey } from './tags.ts'

/**
 * Every label key and tag that was ever on each item, deleted ones included. A label never
 * moves to another item and a tag key names its item, so this is complete for every past
 * version too: the labels of an item at any snapshot are a subset of these. That lets an
 * item view or a removal read one item's few keys instead of scanning the project.
 */
interface EverByItem {
  labels: Map<ItemId, Set<LabelId>>
  tags: Map<ItemId, Set<string>>
}

const indexes = new WeakMap<Y.Doc, EverByItem>()

type Entry = { content: { getContent: () => unknown[] } }

const entries = (map: Y.Map<unknown>): Map<string, Entry> => (map as unknown as { _map: Map<string, Entry> })._map

const add = <V>(index: Map<ItemId, Set<V>>, itemId: ItemId, value: V): void => {
  let set = index.get(itemId)
  if (!set) index.set(itemId, (set = new Set()))
  set.add(value)
}

/** The item a label key belongs to, read from any of its writes (live or deleted). */
const ownerOf = (entry: Entry | undefined): ItemId | undefined => {
  const values = entry?.content.getContent() ?? []
  return (values[values.length - 1] as LabelRecord | undefined)?.itemId
}

const indexLabel = (index: EverByItem, labels: Y.Map<LabelRecord>, key: string): void => {
  const itemId = ownerOf(entries(labels as Y.Map<unknown>).get(key))
  if (itemId) add(index.labels, itemId, key as LabelId)
}

const indexTag = (index: EverByItem, key: string): void => {
  const ref = parseTagKey(key)
  if (ref) add(index.tags, ref.itemId, ref.tag)
}

const build = (doc: Y.Doc): EverByItem => {
  const m = maps(doc)
  const index: EverByItem = { labels: new Map(), tags: new Map() }
  for (const key of entries(m.labels as Y.Map<unknown>).keys()) indexLabel(index, m.labels, key)
  for (const key of entries(m.tags as Y.Map<unknown>).keys()) indexTag(index, key)
  m.labels.observe((event) => event.keysChanged.forEach((key) => indexLabel(index, m.labels, key)))
  m.tags.observe((event) => event.keysChanged.forEach((key) => indexTag(index, key)))
  return index
}

const indexOf = (doc: Y.Doc): EverByItem => {
  let index = indexes.get(doc)
  if (!index) indexes.set(doc, (index = build(doc)))
  return index
}

/** Every label id ever drawn on an item, deleted ones included; filter by the state you read. */
export const labelsEverOn = (doc: Y.Doc, itemId: ItemId): ReadonlySet<LabelId> => indexOf(doc).labels.get(itemId) ?? new Set()

/** Every tag ever put on an item, removed ones included. */
export const tagsEverOn = (doc: Y.Doc, itemId: ItemId): ReadonlySet<string> => indexOf(doc).tags.get(itemId) ?? new Set()

/** Ids of the labels on an item in the live document. */
export const labelsOf = (doc: Y.Doc, itemId: ItemId): LabelId[] => {
  const labels = maps(doc).labels
  return [...labelsEverOn(doc, itemId)].filter((id) => labels.has(id))
}

/** Tags on an item in the live document, unsorted. */
export const tagsOf = (doc: Y.Doc, itemId: ItemId): string[] => {
  const tags = maps(doc).tags
  return [...tagsEverOn(doc, itemId)].filter((tag) => tags.has(`${itemId}:${tag}`))
}
