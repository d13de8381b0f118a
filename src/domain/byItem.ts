import type * as Y from 'yjs'
import type { ItemId, LabelId } from './ids.ts'
import { type LabelRecord, maps } from './project.ts'
import { parseTagKey } from './tags.ts'

interface ByItem {
  labels: Map<ItemId, Set<LabelId>>
  tags: Map<ItemId, Set<string>>
}

const indexes = new WeakMap<Y.Doc, ByItem>()

const add = <V>(index: Map<ItemId, Set<V>>, itemId: ItemId, value: V): void => {
  let set = index.get(itemId)
  if (!set) index.set(itemId, (set = new Set()))
  set.add(value)
}

const drop = <V>(index: Map<ItemId, Set<V>>, itemId: ItemId, value: V): void => {
  const set = index.get(itemId)
  set?.delete(value)
  if (set?.size === 0) index.delete(itemId)
}

const build = (doc: Y.Doc): ByItem => {
  const m = maps(doc)
  const index: ByItem = { labels: new Map(), tags: new Map() }
  m.labels.forEach((label, id) => add(index.labels, label.itemId, id as LabelId))
  m.tags.forEach((_, key) => {
    const ref = parseTagKey(key)
    if (ref) add(index.tags, ref.itemId, ref.tag)
  })
  m.labels.observe((event) => {
    event.changes.keys.forEach((change, key) => {
      const old = change.oldValue as LabelRecord | undefined
      if (old && change.action !== 'add') drop(index.labels, old.itemId, key as LabelId)
      const now = m.labels.get(key)
      if (now) add(index.labels, now.itemId, key as LabelId)
    })
  })
  m.tags.observe((event) => {
    event.changes.keys.forEach((change, key) => {
      const ref = parseTagKey(key)
      if (!ref) return
      if (change.action === 'delete') drop(index.tags, ref.itemId, ref.tag)
      else add(index.tags, ref.itemId, ref.tag)
    })
  })
  return index
}

/**
 * The live labels and tags of each item, kept up to date by observing the flat maps, so
 * that an item view or a removal never scans every label of the project.
 */
const indexOf = (doc: Y.Doc): ByItem => {
  let index = indexes.get(doc)
  if (!index) indexes.set(doc, (index = build(doc)))
  return index
}

/** Ids of the labels on an item in the live document. */
export const labelsOf = (doc: Y.Doc, itemId: ItemId): LabelId[] => [...(indexOf(doc).labels.get(itemId) ?? [])]

/** Tags of an item in the live document, unsorted. */
export const tagsOf = (doc: Y.Doc, itemId: ItemId): string[] => [...(indexOf(doc).tags.get(itemId) ?? [])]
