import type { ItemId, VersionId } from '../domain/index.ts'
import type { GridCache, GridCacheStore } from '../sync/gridCache.ts'
import { whenReleased } from './holds.ts'
import type { LoadProgress, LocalProject } from '../sync/persistence.ts'

type Open = (projectId: string, onProgress: LoadProgress) => Promise<LocalProject>

/**
 * Opening one project on this device: the grid cache paints at once (read-only), the live
 * document loads behind it. Nothing is editable until the live document is there; an item
 * opened meanwhile is remembered and opened then.
 */
export class ProjectLoad {
  #cache = $state.raw<GridCache | null>(null)
  #local = $state.raw<LocalProject | null>(null)
  #error = $state.raw<string | null>(null)
  #progress = $state.raw({ applied: 0, total: 0 })
  #queued = $state.raw<ItemId | null>(null)
  #closed = false

  constructor(
    readonly projectId: string,
    open: Open,
    caches: GridCacheStore,
  ) {
    caches.read(projectId).then(
      (cache) => {
        if (!this.#local && cache?.projectId === projectId) this.#cache = cache
      },
      () => undefined,
    )
    open(projectId, (applied, total) => (this.#progress = { applied, total })).then(
      (local) => {
        if (this.#closed) return local.destroy()
        this.#local = local
        this.#cache = null
      },
      (error: unknown) => (this.#error = error instanceof Error ? error.message : String(error)),
    )
  }

  /** The live project once loaded: the only thing anyone may edit. */
  get local(): LocalProject | null {
    return this.#local
  }

  get error(): string | null {
    return this.#error
  }

  /** True once the live document is loaded. */
  get editable(): boolean {
    return this.#local !== null
  }

  /** Whole percent of the stored document applied so far. */
  get percent(): number {
    const { applied, total } = this.#progress
    return total === 0 ? 0 : Math.floor((applied / total) * 100)
  }

  /** What to paint while loading: latest's cached grid, never for an old version. */
  previewFor(versionId: VersionId | null): GridCache | null {
    return versionId === null && !this.#local ? this.#cache : null
  }

  /** Remembers an item the user opened before the document was ready. */
  queueOpen(itemId: ItemId): void {
    this.#queued = itemId
  }

  get queued(): ItemId | null {
    return this.#queued
  }

  /** Closes the project once nothing writes into it any more (see `keepOpenWhile`); settles then. */
  destroy(): Promise<void> {
    this.#closed = true
    const local = this.#local
    return local ? whenReleased(local.doc).then(() => local.destroy()) : Promise.resolve()
  }
}
