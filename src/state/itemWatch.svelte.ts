import type * as Y from 'yjs'
import { createSubscriber } from 'svelte/reactivity'
import { type ItemId, type ItemRecord, type LabelRecord, maps, parseTagKey } from '../domain/index.ts'

type Notify = () => void

/**
 * Per-item change notifications over the flat layout. The `items`, `labels` and `tags` maps
 * are observed once (while anyone watches); each change wakes only the subscribers of the
 * items it touches, so an edit to one label re-runs one cell, not the grid.
 */
export class ItemWatch {
  #waiting = new Map<ItemId, Set<Notify>>()
  #subscribers = new Map<ItemId, () => void>()
  #watchers = 0
  #stop: (() => void) | null = null

  constructor(readonly doc: Y.Doc) {}

  /** Makes the calling effect re-run when this item, its labels or its tags change. */
  track(itemId: ItemId): void {
    let subscribe = this.#subscribers.get(itemId)
    if (!subscribe) {
      subscribe = createSubscriber((update) => this.#add(itemId, update))
      this.#subscribers.set(itemId, subscribe)
    }
    subscribe()
  }

  #add(itemId: ItemId, update: Notify): () => void {
    let set = this.#waiting.get(itemId)
    if (!set) this.#waiting.set(itemId, (set = new Set()))
    set.add(update)
    if (this.#watchers++ === 0) this.#stop = this.#observe()
    return () => {
      set.delete(update)
      if (set.size === 0) {
        this.#waiting.delete(itemId)
        this.#subscribers.delete(itemId)
      }
      if (--this.#watchers === 0) {
        this.#stop?.()
        this.#stop = null
      }
    }
  }

  #notify(ids: Iterable<ItemId>): void {
    for (const id of ids) for (const fn of this.#waiting.get(id) ?? []) fn()
  }

  #observe(): () => void {
    const m = maps(this.doc)
    const onItems = (event: Y.YMapEvent<ItemRecord>): void => this.#notify(event.keysChanged as Set<ItemId>)
    const onLabels = (event: Y.YMapEvent<LabelRecord>): void => {
      const touched = new Set<ItemId>()
      event.changes.keys.forEach((change, key) => {
        const old = change.oldValue as LabelRecord | undefined
        if (old) touched.add(old.itemId)
        const now = m.labels.get(key)
        if (now) touched.add(now.itemId)
      })
      this.#notify(touched)
    }
    const onTags = (event: Y.YMapEvent<true>): void => {
      const touched = new Set<ItemId>()
      for (const key of event.keysChanged) {
        const ref = parseTagKey(key)
        if (ref) touched.add(ref.itemId)
      }
      this.#notify(touched)
    }
    m.items.observe(onItems)
    m.labels.observe(onLabels)
    m.tags.observe(onTags)
    return () => {
      m.items.unobserve(onItems)
      m.labels.unobserve(onLabels)
      m.tags.unobserve(onTags)
    }
  }
}
