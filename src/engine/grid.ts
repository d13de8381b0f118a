import type * as Y from 'yjs'
import { type ClassId, type ItemId, listItems, parseTagKey, readItem, sourceOf } from '../domain/index.ts'
import type { Cell, ListQuery, Prediction } from './protocol.ts'
import { recordsOf } from './records.ts'

/** Old versions whose item list is kept: switching between a few costs no relisting. */
const LISTS_KEPT = 2

/** The label classes on each item: built only while a class or labels filter is on. */
const classesByItem = (doc: Y.Doc): Map<ItemId, Set<ClassId>> => {
  const out = new Map<ItemId, Set<ClassId>>()
  for (const [, label] of recordsOf(doc, 'labels')) {
    let set = out.get(label.itemId)
    if (!set) out.set(label.itemId, (set = new Set()))
    set.add(label.classId)
  }
  return out
}

/** The tags on each item and every tag in use (the tag map is small next to the labels). */
export const tagsByItem = (doc: Y.Doc): { byItem: Map<ItemId, Set<string>>; all: string[] } => {
  const byItem = new Map<ItemId, Set<string>>()
  const all = new Set<string>()
  for (const [key] of recordsOf(doc, 'tags')) {
    const ref = parseTagKey(key)
    if (!ref) continue
    let set = byItem.get(ref.itemId)
    if (!set) byItem.set(ref.itemId, (set = new Set()))
    set.add(ref.tag)
    all.add(ref.tag)
  }
  return { byItem, all: [...all].sort((a, b) => a.localeCompare(b)) }
}

/**
 * Item lists of what tabs show: latest's is made again when its items change, an old
 * version's once (it never changes) and kept for the last few shown.
 */
export class ItemLists {
  #latest: { doc: Y.Doc; list: Array<{ id: ItemId; name: string }> } | null = null
  #versions = new Map<string, Array<{ id: ItemId; name: string }>>()

  /** Latest's items changed: its list is made again when next asked for. */
  itemsChanged(): void {
    this.#latest = null
  }

  /** Every item of `doc` (live or a version) in display order: oldest first, then id. */
  of(doc: Y.Doc): Array<{ id: ItemId; name: string }> {
    const versionId = sourceOf(doc).versionId
    if (versionId === null) {
      if (this.#latest?.doc !== doc) this.#latest = { doc, list: listItems(doc).map((i) => ({ id: i.id, name: i.name })) }
      return this.#latest.list
    }
    const list = this.#versions.get(versionId) ?? listItems(doc).map((i) => ({ id: i.id, name: i.name }))
    this.#versions.delete(versionId)
    this.#versions.set(versionId, list)
    const oldest = this.#versions.keys().next().value
    if (this.#versions.size > LISTS_KEPT && oldest !== undefined) this.#versions.delete(oldest)
    return list
  }
}

/** The ids that pass every filter, in display order. */
export const filterItems = (doc: Y.Doc, items: Array<{ id: ItemId; name: string }>, q: ListQuery, outcome: ReadonlySet<string> | null): ItemId[] => {
  const text = q.search.trim().toLowerCase()
  const { classId, tag, labels } = q
  if (!text && !classId && !tag && labels === 'any' && !outcome) return items.map((i) => i.id)
  const byClass = classId || labels !== 'any' ? classesByItem(doc) : null
  const byTag = tag ? tagsByItem(doc).byItem : null
  const out: ItemId[] = []
  for (const item of items) {
    if (text && !item.name.toLowerCase().includes(text)) continue
    const classes = byClass?.get(item.id)
    if (labels === 'with' && !classes) continue
    if (labels === 'without' && classes) continue
    if (classId && !classes?.has(classId)) continue
    if (byTag && !byTag.get(item.id)?.has(tag)) continue
    if (outcome && !outcome.has(item.id)) continue
    out.push(item.id)
  }
  return out
}

/** One cell as the grid and the item view draw it; null when the item is not in `doc`. */
export const cellOf = (doc: Y.Doc, itemId: ItemId, predicted: (id: ItemId) => Prediction[]): Cell | null => {
  const item = readItem(doc, itemId)
  return item ? { ...item, predicted: predicted(itemId) } : null
}
