import * as Y from 'yjs'
import { type Actor, type ItemId, maps, sourceOf } from '../domain/index.ts'
import type { CocoPlan } from '../io/index.ts'
import type { GridCache } from '../sync/gridCache.ts'
import { cachedCells } from './cachedCells.ts'
import { ChangesSince } from './changesSince.ts'
import type { EarlyEdits } from './early.ts'
import { Comparisons } from './compare.ts'
import type { CompareTopic } from './compareTypes.ts'
import { ItemLists, cellOf, filterItems, tagsByItem } from './grid.ts'
import { Measures } from './measures.ts'
import { pendingOf } from './pending.ts'
import { ShownPredictions } from './predictions.ts'
import type { MapName, OpenedProject } from './opened.ts'
import { type Cell, ENGINE_PROTOCOL, type FromEngine, type ListQuery, type ProjectTopic, type TopicName, type Topics } from './protocol.ts'
import { projectTopic } from './summary.ts'
import { Viewing } from './viewing.ts'

/** Where a tab's messages go. */
export interface TabPort { post(message: FromEngine): void }

interface Watched { topic: TopicName; spec: unknown; last: string | undefined; due: boolean; busy: boolean }

const CONTENT: MapName[] = ['meta', 'classes', 'items', 'labels', 'tags', 'runs']
const touches = (names: ReadonlySet<MapName>, of: MapName[]): boolean => of.some((n) => names.has(n))

/**
 * Sends what changed in the engine's next task, queued behind the tasks already waiting: a
 * burst of transactions in one task goes out once. Not a timer: while a big project loads,
 * the loader yields through the same kind of task, and timers waited behind it for seconds.
 */
const nextTask = (fn: () => void): void => {
  const channel = new MessageChannel()
  channel.port1.onmessage = () => {
    channel.port1.close()
    fn()
  }
  channel.port2.postMessage(null)
}

let tabs = 0

/**
 * One tab showing a project: what it shows (the version, its filters, the prediction run,
 * its measurements), the topics it watches, and its own undo history. Commands it sends
 * go to the document it shows: on an old version the domain refuses them.
 */
export class TabSession {
  /** This tab's transaction origin: its undo history tracks its own edits only. */
  readonly origin = { tab: ++tabs }
  readonly viewing: Viewing
  readonly predictions: ShownPredictions
  readonly measures: Measures
  /** COCO imports planned in this tab, waiting for the user's yes. */
  readonly plans = new Map<number, CocoPlan>()
  #watched = new Map<string, Watched>()
  #lists = new ItemLists()
  #count: { doc: Y.Doc; n: number } | null = null
  #comparisons = new Comparisons()
  #changes: ChangesSince
  #undo: Y.UndoManager | null = null
  #scheduled = false
  #off: () => void
  #closed = false

  constructor(
    readonly port: TabPort,
    readonly engine: OpenedProject,
    public actor: Actor,
  ) {
    this.viewing = new Viewing(() => this.#send({ v: ENGINE_PROTOCOL, t: 'left' }))
    this.predictions = new ShownPredictions(engine.blobs, () => this.#due(['cells', 'item', 'project']))
    this.measures = new Measures(engine.blobs, () => this.#due(['quality', 'project', 'list', 'item']))
    this.#changes = new ChangesSince(() => this.#due(['changesSince']))
    this.#off = engine.onChange((names) => this.#changed(names))
    void engine.ready.then(() => this.#changed(new Set([...CONTENT, 'versions', 'deletedVersions'])), () => this.#due(['project']))
  }

  /** The document this tab shows: latest, or the opened old version; null while neither is there. */
  get shown(): Y.Doc | null {
    return this.viewing.shown === null ? this.engine.doc : this.viewing.view
  }

  /** This tab's undo history over latest (made once the document is there). */
  get undo(): Y.UndoManager | null {
    const doc = this.engine.doc
    if (!doc) return null
    if (!this.#undo) {
      const m = maps(doc)
      this.#undo = new Y.UndoManager([m.items, m.labels, m.tags, m.classes], { trackedOrigins: new Set([this.origin]), captureTimeout: 0 })
    }
    return this.#undo
  }

  /** True once this replica has completed a sync with the server since the project opened. */
  get synced(): boolean {
    return this.engine.everSynced
  }

  watch(key: string, topic: TopicName, spec: unknown): void {
    this.#watched.set(key, { topic, spec, last: undefined, due: true, busy: false })
    this.#schedule()
  }

  unwatch(key: string): void {
    this.#watched.delete(key)
  }

  /** What the tab shows changed (a version opened): everything it watches is due. */
  shownChanged(): void {
    this.#due(Object.keys({ project: 0, list: 0, cells: 0, item: 0, pending: 0, changesSince: 0, compare: 0, quality: 0 }) as TopicName[])
  }

  close(): void {
    this.#closed = true
    this.engine.publish(this, null)
    this.plans.clear()
    this.#off()
    this.#changes.stop()
    this.measures.destroy()
    this.#undo?.destroy()
  }

  #changed(names: ReadonlySet<MapName>): void {
    if (touches(names, ['items'])) {
      this.#lists.itemsChanged()
      this.#count = null
    }
    if (touches(names, CONTENT)) {
      this.#comparisons.latestChanged()
      this.#changes.latestChanged()
    }
    const live = this.engine.doc
    if (this.viewing.check(live, this.synced)) this.shownChanged()
    for (const w of this.#watched.values()) if (this.#dependsOn(w, names)) w.due = true
    this.#schedule()
  }

  #dependsOn(w: Watched, names: ReadonlySet<MapName>): boolean {
    const onLatest = this.viewing.shown === null
    switch (w.topic) {
      case 'project': return true
      case 'list': {
        const q = w.spec as ListQuery
        return onLatest && (touches(names, ['items', 'tags']) || (names.has('labels') && (q.classId !== '' || q.labels !== 'any')))
      }
      case 'cells': case 'item': return onLatest && touches(names, ['items', 'labels', 'tags'])
      case 'pending': return touches(names, [...CONTENT, 'versions'])
      case 'changesSince': return !onLatest && touches(names, CONTENT)
      case 'compare': return touches(names, [...CONTENT, 'versions'])
      case 'quality': return false
    }
  }

  #due(topics: TopicName[]): void {
    for (const w of this.#watched.values()) if (topics.includes(w.topic)) w.due = true
    this.#schedule()
  }

  #schedule(): void {
    if (this.#closed || this.#scheduled) return
    this.#scheduled = true
    nextTask(() => {
      this.#scheduled = false
      if (!this.#closed) void this.#flush()
    })
  }

  async #flush(): Promise<void> {
    for (const [key, w] of this.#watched) {
      if (!w.due || w.busy) continue
      w.due = false
      w.busy = true
      try {
        const value = await this.#compute(w)
        const text = JSON.stringify(value)
        if (text !== w.last && this.#watched.get(key) === w) {
          w.last = text
          this.#send({ v: ENGINE_PROTOCOL, t: 'topic', key, value })
        }
      } catch (error) {
        console.warn(`The engine could not make "${w.topic}":`, error)
      } finally {
        w.busy = false
        // Due again while it was being made (an edit during an awaited read): make it again.
        if (w.due) this.#schedule()
      }
    }
  }

  #send(message: FromEngine): void {
    if (!this.#closed) this.port.post(message)
  }

  async #compute(w: Watched): Promise<unknown> {
    const spec = w.spec
    switch (w.topic) {
      case 'project': return this.#project()
      case 'list': return this.#list(spec as ListQuery)
      case 'cells': return this.#cells((spec as Topics['cells']['spec']).ids)
      case 'item': return this.#item((spec as Topics['item']['spec']).itemId)
      case 'pending': return this.engine.doc ? pendingOf(this.engine.doc) : null
      case 'changesSince': return this.#changesSince()
      case 'compare': return this.engine.doc ? this.#comparisons.page(this.engine.doc, spec as CompareTopic) : null
      case 'quality': return this.measures.topic
    }
  }

  #project(): ProjectTopic {
    return projectTopic(this)
  }

  async #list(q: ListQuery): Promise<Topics['list']['value']> {
    const doc = this.shown
    if (!doc) {
      const cache = this.cache
      return { ids: (cache?.items ?? []).map((i) => i.id).join('\n'), allTags: [] }
    }
    const outcome = q.outcome ? new Set(await this.measures.items(q.outcome.result, q.outcome.selection)) : null
    const ids = filterItems(doc, this.#lists.of(doc), q, outcome)
    return { ids: ids.join('\n'), allTags: tagsByItem(doc).all }
  }

  /** Items in what the tab shows: counted when latest's items change or another version is shown (counting is O(items)). */
  itemCount(doc: Y.Doc): number {
    if (this.#count?.doc !== doc) this.#count = { doc, n: this.#lists.of(doc).length }
    return this.#count.n
  }

  /** Latest's grid cache while the document loads, for a tab that asked for latest; never for an old version. */
  get cache(): GridCache | null {
    return this.viewing.wanted === null ? this.engine.cache : null
  }

  /** A cell of the grid cache as this session's early edits show it (while the document loads). */
  cachedCell(itemId: ItemId): Cell | undefined {
    return this.#cached([itemId])[0]
  }

  // Cells of the grid cache as this session's early edits show them.
  #cached(ids: ItemId[]): Cell[] {
    const early = this.engine.early
    return cachedCells(this.cache, ids, early ? (cell) => early.overlay(cell) : undefined)
  }

  #cells(ids: ItemId[]): Cell[] {
    const doc = this.shown
    if (!doc) return this.#cached(ids)
    return ids.flatMap((id) => cellOf(doc, id, this.predictions.of) ?? [])
  }

  async #item(itemId: ItemId): Promise<Topics['item']['value']> {
    const doc = this.shown
    if (!doc) return { item: this.cachedCell(itemId) ?? null, marks: [] }
    return { item: cellOf(doc, itemId, this.predictions.of), marks: await this.measures.boxes(itemId) }
  }

  #changesSince(): number | null {
    const live = this.engine.doc
    const view = this.viewing.view
    const at = view ? sourceOf(view).at : null
    const id = this.viewing.shown
    if (!live || id === null || at === null) return 0
    return this.#changes.of(live, id, at)
  }
}
