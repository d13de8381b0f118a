import type * as Y from 'yjs'
import type { ItemId } from './ids.ts'
import type { ItemRecord } from './project.ts'
import { allRecords, getRecord, sourceOf } from './source.ts'
import { labelsEverOn, tagsEverOn } from './byItem.ts'
import { tagKey } from './tags.ts'
import { type ItemJson, sortItems, sortLabels } from './read.ts'

/**
 * One item with its labels and tags, live or as an opened version has it; null if absent.
 * Reads only that item's keys, so an old version's first screen costs what it shows.
 */
export const readItem = (doc: Y.Doc, itemId: ItemId): ItemJson | null => {
  const src = sourceOf(doc)
  const record = getRecord(src, 'items', itemId)
  if (!record) return null
  const labels: ItemJson['labels'] = []
  for (const id of labelsEverOn(src.doc, itemId)) {
    const label = getRecord(src, 'labels', id)
    if (label?.itemId !== itemId) continue
    const { itemId: _, ...rest } = label
    labels.push({ id, ...rest })
  }
  const tags = [...tagsEverOn(src.doc, itemId)].filter((tag) => getRecord(src, 'tags', tagKey(itemId, tag)) === true).sort()
  return { id: itemId, ...record, tags, labels: sortLabels(labels) }
}

/** Every item record in display order, without labels: what a grid needs before it paints. */
export const listItems = (doc: Y.Doc): Array<{ id: ItemId } & ItemRecord> =>
  sortItems(allRecords(sourceOf(doc), 'items').map(([id, record]) => ({ id: id as ItemId, ...record })))
