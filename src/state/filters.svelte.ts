import type * as Y from 'yjs'
import { type ClassId, type ItemId, maps, parseTagKey } from '../domain/index.ts'
import type { ListedItem, ProjectState } from './project.svelte.ts'
import { recordsOf } from './records.ts'
import { observing } from './observe.ts'

export type LabelFilter = 'any' | 'with' | 'without'

/** What each item carries, for filtering: its label classes and its tags. */
interface Facets {
  classes: Map<ItemId, Set<ClassId>>
  tags: Map<ItemId, Set<string>>
  allTags: string[]
}

const buildFacets = (doc: Y.Doc): Facets => {
  const classes = new Map<ItemId, Set<ClassId>>()
  const tags = new Map<ItemId, Set<string>>()
  for (const [, label] of recordsOf(doc, 'labels')) {
    let set = classes.get(label.itemId)
    if (!set) classes.set(label.itemId, (set = new Set()))
    set.add(label.classId)
  }
  const all = new Set<string>()
  for (const [key] of recordsOf(doc, 'tags')) {
    const ref = parseTagKey(key)
    if (!ref) continue
    let set = tags.get(ref.itemId)
    if (!set) tags.set(ref.itemId, (set = new Set()))
    set.add(ref.tag)
    all.add(ref.tag)
  }
  return { classes, tags, allTags: [...all].sort((a, b) => a.localeCompare(b)) }
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
  #labelsChanged: () => void
  #tagsChanged: () => void

  constructor(readonly project: ProjectState) {
    const m = maps(project.live)
    this.#labelsChanged = observing(m.labels as Y.AbstractType<unknown>)
    this.#tagsChanged = observing(m.tags as Y.AbstractType<unknown>)
  }

  #facets: Facets | null = $derived.by(() => {
    const doc = this.project.doc
    if (!doc) return null
    if (doc === this.project.live) {
      this.#labelsChanged()
      this.#tagsChanged()
    }
    return buildFacets(doc)
  })

  /** Every tag used in the project (or the version shown). */
  get allTags(): string[] {
    return this.#facets?.allTags ?? []
  }

  get active(): boolean {
    return this.search.trim() !== '' || this.classId !== '' || this.tag !== '' || this.labels !== 'any'
  }

  clear(): void {
    this.search = ''
    this.classId = ''
    this.tag = ''
    this.labels = 'any'
  }

  /** The items that pass every filter, in display order. */
  visible: ListedItem[] = $derived.by(() => {
    const items = this.project.items
    const text = this.search.trim().toLowerCase()
    const { classId, tag, labels } = this
    if (!text && !classId && !tag && labels === 'any') return items
    const facets = classId || tag || labels !== 'any' ? this.#facets : null
    return items.filter((item) => {
      if (text && !item.name.toLowerCase().includes(text)) return false
      if (!facets) return true
      const classes = facets.classes.get(item.id)
      if (labels === 'with' && !classes) return false
      if (labels === 'without' && classes) return false
      if (classId && !classes?.has(classId)) return false
      if (tag && !facets.tags.get(item.id)?.has(tag)) return false
      return true
    })
  })
}
