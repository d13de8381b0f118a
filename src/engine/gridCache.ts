import * as Y from 'yjs'
import { type ItemId, type ItemRecord, maps, readItem } from '../domain/index.ts'
import { GRID_CACHE_FORMAT, type CachedItem, type GridCache, type GridCacheStore } from '../sync/gridCache.ts'

/** Cells cached: a few dozen screens of the grid. */
export const CACHED_ITEMS = 600


type Ordered = { id: string; addedAt: number }
const before = (a: Ordered, b: Ordered): number => a.addedAt - b.addedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** The first `n` item ids in display order (oldest first, then id) without sorting them all. */
export const firstItems = (items: Y.Map<ItemRecord>, n: number): string[] => {
  let kept: Ordered[] = []
  let worst: Ordered | null = null
  items.forEach((record, id) => {
    const entry = { id, addedAt: record.addedAt }
    if (worst && before(entry, worst) >= 0) return
    kept.push(entry)
    if (kept.length >= n * 4) {
      kept = kept.sort(before).slice(0, n)
      worst = kept[n - 1] ?? null
    }
  })
  return kept
    .sort(before)
    .slice(0, n)
    .map((e) => e.id)
}

/** The grid cache of `doc`'s latest state: the first `size` cells with their labels and tags. */
export const buildGridCache = (doc: Y.Doc, projectId: string, size = CACHED_ITEMS): GridCache => {
  const m = maps(doc)
  const items: CachedItem[] = []
  for (const id of firstItems(m.items, size)) {
    const item = readItem(doc, id as ItemId)
    if (!item) continue
    items.push({
      id,
      name: item.name,
      blob: item.blob,
      mime: item.mime,
      width: item.width,
      height: item.height,
      labels: item.labels.map((l) => [l.id, l.classId, ...l.bbox]),
      tags: item.tags,
    })
  }
  return {
    projectId,
    format: GRID_CACHE_FORMAT,
    stateVector: Y.encodeStateVector(doc),
    name: String(m.meta.get('name') ?? ''),
    total: m.items.size,
    items,
    classes: [...m.classes.entries()].map(([id, c]) => ({ id, name: c.name, color: c.color })),
    savedAt: Date.now(),
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && a.every((x, i) => x === b[i])

/**
 * Keeps a project's grid cache in step with its live document: rewritten a while after the
 * last change (in the engine worker, so it costs the tabs nothing), and once at start when
 * the stored one is from another state.
 */
export class GridCacheWriter {
  #timer: ReturnType<typeof setTimeout> | undefined
  #destroyed = false
  #written: Promise<void> = Promise.resolve()

  constructor(
    readonly doc: Y.Doc,
    readonly projectId: string,
    readonly store: GridCacheStore,
    readonly mark: (name: string) => void = () => undefined,
    readonly delayMs = 2_000,
  ) {
    doc.on('afterTransaction', this.#changed)
    void store.read(projectId).then(
      (stored) => {
        if (!stored || !sameBytes(stored.stateVector, Y.encodeStateVector(doc))) this.#schedule(0)
      },
      () => this.#schedule(0),
    )
  }

  #changed = (tr: Y.Transaction): void => {
    if (tr.changed.size > 0 || tr.deleteSet.clients.size > 0) this.#schedule(this.delayMs)
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.flush(), delay)
  }

  /** Writes the cache now; answers when it is stored. */
  flush(): Promise<void> {
    clearTimeout(this.#timer)
    if (this.#destroyed) return this.#written
    const cache = buildGridCache(this.doc, this.projectId)
    this.#written = this.#written
      .then(() => this.store.write(cache))
      .then(() => this.mark('strata:grid-cached'))
      .catch((error: unknown) => console.warn('The grid cache was not saved:', error))
    return this.#written
  }

  /** Settles when the last write started has been stored. */
  get written(): Promise<void> {
    return this.#written
  }

  destroy(): void {
    this.#destroyed = true
    clearTimeout(this.#timer)
    this.doc.off('afterTransaction', this.#changed)
  }
}
