import type * as Y from 'yjs'
import type { ItemId, LabelId } from './ids.ts'
import { type ItemRecord, maps } from './project.ts'
import { type Source, allRecords, getRecord, sourceOf } from './source.ts'
import { changedKeys } from './changes.ts'
import { labelsOf, tagsOf } from './byItem.ts'
import { parseTagKey } from './tags.ts'
import { type ItemJson, sortItems, sortLabels } from './read.ts'

interface Candidates {
  labels: Map<ItemId, Set<LabelId>>
  tags: Map<ItemId, Set<string>>
}

const cache = new WeakMap<Y.Doc, { stamp: number; candidates: Candidates }>()
const stamps = new WeakMap<Y.Doc, number>()

const stampOf = (live: Y.Doc): number => {
  if (!stamps.has(live)) {
    stamps.set(live, 0)
    live.on('afterTransaction', () => stamps.set(live, (stamps.get(live) ?? 0) + 1))
  }
  return stamps.get(live) ?? 0
}

/**
 * Labels and tags that an old version may have but the live index lacks: those written or
 * deleted since it. Together with the live index they are every candidate, so reading one
 * item of an old version costs O(changes since) once, then O(its labels).
 */
const candidatesOf = (view: Y.Doc, src: Source & { at: Y.Snapshot }): Candidates => {
  const stamp = stampOf(src.doc)
  const hit = cache.get(view)
  if (hit && hit.stamp === stamp) return hit.candidates
  const keys = changedKeys(src.doc, src.at, null)
  const candidates: Candidates = { labels: new Map(), tags: new Map() }
  for (const id of keys.labels) {
    const label = getRecord(src, 'labels', id) ?? maps(src.doc).labels.get(id)
    if (!label) continue
    const set = candidates.labels.get(label.itemId) ?? new Set()
    candidates.labels.set(label.itemId, set.add(id as LabelId))
  }
  for (const key of keys.tags) {
    const ref = parseTagKey(key)
    if (ref) candidates.tags.set(ref.itemId, (candidates.tags.get(ref.itemId) ?? new Set()).add(ref.tag))
  }
  cache.set(view, { stamp, candidates })
  return candidates
}

const withParts = (src: Source, id: ItemId, record: ItemRecord, labelIds: Iterable<LabelId>, tags: Iterable<string>): ItemJson => {
  const labels: ItemJson['labels'] = []
  for (const labelId of new Set(labelIds)) {
    const label = getRecord(src, 'labels', labelId)
    if (label && label.itemId === id) {
      const { itemId: _, ...rest } = label
      labels.push({ id: labelId, ...rest })
    }
  }
  const shown = [...new Set(tags)].filter((tag) => getRecord(src, 'tags', `${id}:${tag}`) === true).sort()
  return { id, ...record, tags: shown, labels: sortLabels(labels) }
}

/** One item with its labels and tags, live or as an opened version has it; null if absent. */
export const readItem = (doc: Y.Doc, itemId: ItemId): ItemJson | null => {
  const src = sourceOf(doc)
  const record = getRecord(src, 'items', itemId)
  if (!record) return null
  const liveLabels = labelsOf(src.doc, itemId)
  const liveTags = tagsOf(src.doc, itemId)
  if (src.at === null) return withParts(src, itemId, record, liveLabels, liveTags)
  const extra = candidatesOf(doc, { ...src, at: src.at })
  return withParts(src, itemId, record, [...liveLabels, ...(extra.labels.get(itemId) ?? [])], [...liveTags, ...(extra.tags.get(itemId) ?? [])])
}

/** Every item record in display order, without labels: what a grid needs before it paints. */
export const listItems = (doc: Y.Doc): Array<{ id: ItemId } & ItemRecord> =>
  sortItems(allRecords(sourceOf(doc), 'items').map(([id, record]) => ({ id: id as ItemId, ...record })))
