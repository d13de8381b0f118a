import type * as Y from 'yjs'
import { type ClassId, type ItemId, maps, parseTagKey } from '../domain/index.ts'
import type { ListedItem, ProjectState } from './project.svelte.ts'
import { recordsOf } from './records.ts'
import { observing } from './observe.ts'

export type LabelFilter = 'any' | 'with' | 'without'

/** The items behind a metric or matrix cell, named as the user picked it ("False positives of car · …"). */
export interface OutcomeFilter { label: string; items: ReadonlySet<string> }

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
const tagsByItem = (doc: Y.Doc): { byItem: Map<ItemId, Set<string>>; all: string[] } => {
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
 * The grid's filters and the items that pass them. Label and tag facets are built (one
 * pass over the flat maps) only while a filter or the tag list needs them.
 */
export class ItemFilters {
  search = $state('')
  classId = $state<ClassId | ''>('')
  tag = $state('')
  labels = $state<LabelFilter>('any')
  /** Set from the Quality view; the evaluation's item set, so the grid filters with one lookup per item. */
  outcome = $state.raw<OutcomeFilter | null>(null)
  #labelsChanged: () => void
  #tagsChanged: () => void

  constructor(readonly project: ProjectState) {
    const m = maps(project.live)
    this.#labelsChanged = observing(m.labels as Y.AbstractType<unknown>)
    this.#tagsChanged = observing(m.tags as Y.AbstractType<unknown>)
  }

  #classes = $derived.by(() => {
    const doc = this.project.doc
    if (!doc) return new Map<ItemId, Set<ClassId>>()
    if (doc === this.project.live) this.#labelsChanged()
    return classesByItem(doc)
  })

  #tags = $derived.by(() => {
    const doc = this.project.doc
    if (!doc) return { byItem: new Map<ItemId, Set<string>>(), all: [] }
    if (doc === this.project.live) this.#tagsChanged()
    return tagsByItem(doc)
  })

  /** Every tag used in the project (or the version shown). */
  get allTags(): string[] {
    return this.#tags.all
  }

  get active(): boolean {
    return this.search.trim() !== '' || this.classId !== '' || this.tag !== '' || this.labels !== 'any' || this.outcome !== null
  }

  clear(): void {
    this.search = ''
    this.classId = ''
    this.tag = ''
    this.labels = 'any'
    this.outcome = null
  }

  /** The items that pass every filter, in display order. */
  visible: ListedItem[] = $derived.by(() => {
    const items = this.project.items
    const text = this.search.trim().toLowerCase()
    const { classId, tag, labels, outcome } = this
    if (!text && !classId && !tag && labels === 'any' && !outcome) return items
    const byClass = classId || labels !== 'any' ? this.#classes : null
    const byTag = tag ? this.#tags.byItem : null
    return items.filter((item) => {
      if (text && !item.name.toLowerCase().includes(text)) return false
      const classes = byClass?.get(item.id)
      if (labels === 'with' && !classes) return false
      if (labels === 'without' && classes) return false
      if (classId && !classes?.has(classId)) return false
      if (byTag && !byTag.get(item.id)?.has(tag)) return false
      if (outcome && !outcome.items.has(item.id)) return false
      return true
    })
  })
}
