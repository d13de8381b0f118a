import type * as Y from 'yjs'
import { BlobStore } from '../sync/blobs.ts'
import { Connection } from '../sync/connection.ts'
import { type GridCache, indexedDbGridCaches } from '../sync/gridCache.ts'
import { type Compact, type LocalProject, databaseName, openLocalProject } from '../sync/persistence.ts'
import { customNumber } from '../sync/updateLog.ts'
import { EarlyEdits } from './early.ts'
import { GridCacheWriter } from './gridCache.ts'
import { ImageImport } from './imageImport.ts'
import { ALL_MAPS, type Changed, type MapName, type OpenedProject, onMapsChanged } from './opened.ts'
import type { Phase } from './protocol.ts'


/** Uploads queued files this often while the link is up. */
const FLUSH_MS = 10_000

/**
 * One open project in the engine, shared by every tab that shows it: the live document and
 * its storage, the connection, the file store, the grid cache and the image import. It
 * loads itself (painting from the grid cache first) and tears down in order: the import
 * ends, then the cache writer, the connection, the document and its storage, the file store.
 */
export class ProjectEngine implements OpenedProject {
  readonly blobs: BlobStore
  readonly early: EarlyEdits
  readonly ready: Promise<Y.Doc>
  #phase: Phase = 'opening'
  #percent = 0
  #error: string | null = null
  #cache: GridCache | null = null
  #local: LocalProject | null = null
  #connection: Connection | null = null
  #writer: GridCacheWriter | null = null
  #images: ImageImport | null = null
  #listeners = new Set<Changed>()
  #closed = false
  #online: boolean
  #flushTimer: ReturnType<typeof setInterval> | undefined
  #everSynced = false
  #published = new Map<object, { name: string; viewing: string }>()
  #presence: string | null = null
  #earlyProblems: string[] = []

  constructor(
    readonly projectId: string,
    readonly token: string,
    online: boolean,
    readonly mark: (name: string) => void,
    compact?: Compact,
  ) {
    this.#online = online
    this.blobs = new BlobStore(projectId, token)
    this.early = new EarlyEdits(projectId, () => this.#emit(new Set(['items', 'labels', 'tags'])))
    this.blobs.onChange(() => this.#emit())
    const caches = indexedDbGridCaches()
    caches.read(projectId).then(
      (cache) => {
        if (this.#phase !== 'opening' && this.#phase !== 'loading') return
        if (cache?.projectId !== projectId || this.#local) return
        this.#cache = cache
        this.#phase = 'cached'
        // The list and cells a tab watches are made from the cache now: send them again.
        this.#emit(new Set(['items', 'labels', 'tags']))
      },
      () => undefined,
    )
    this.ready = openLocalProject(projectId, (applied, total) => this.#progress(applied, total), mark, compact).then(
      (local) => this.#opened(local, caches),
      (error: unknown) => {
        this.#error = error instanceof Error ? error.message : String(error)
        this.#phase = 'failed'
        this.#emit()
        throw error
      },
    )
    this.ready.catch(() => undefined)
  }

  get phase(): Phase { return this.#phase }
  get percent(): number { return this.#percent }
  get error(): string | null { return this.#error }
  /** Latest's first cells as saved on this device, while the document loads. */
  get cache(): GridCache | null { return this.#phase === 'ready' ? null : this.#cache }
  /** The live document, once loaded. */
  get doc(): Y.Doc | null { return this.#local?.doc ?? null }
  get connection(): Connection | null { return this.#connection }
  get saveError(): string | null { return this.#local?.saving?.error ?? null }
  get images(): ImageImport | null { return this.#images }
  /** True once a sync with the server completed since the project opened. */
  get everSynced(): boolean { return this.#everSynced }
  get earlyProblems(): readonly string[] { return this.#earlyProblems }

  /** Calls `fn` on every change; answers the unsubscribe. */
  onChange(fn: Changed): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  /**
   * The tabs of this replica share one presence: the latest name, and every version they
   * view ("Latest · Round 3"); set only when it changes, so a renewal is the provider's own.
   */
  publish(tab: object, user: { name: string; viewing: string } | null): void {
    if (user) {
      this.#published.delete(tab)
      this.#published.set(tab, user)
    } else this.#published.delete(tab)
    const all = [...this.#published.values()]
    const last = all.at(-1)
    const merged = last ? { name: last.name, viewing: [...new Set(all.map((u) => u.viewing))].join(' · ') } : null
    const text = JSON.stringify(merged)
    if (text === this.#presence) return
    this.#presence = text
    this.#applyPresence()
  }

  #applyPresence(): void {
    const awareness = this.#connection?.awareness
    if (!awareness || this.#presence === null) return
    const user = JSON.parse(this.#presence) as { name: string; viewing: string } | null
    if (user) awareness.setLocalStateField('user', user)
  }

  /** The network came or went, as a tab saw it. */
  network(online: boolean): void {
    this.#online = online
    this.#connection?.network(online)
  }

  #progress(applied: number, total: number): void {
    const percent = total === 0 ? 0 : Math.floor((applied / total) * 100)
    if (this.#phase === 'opening') this.#phase = this.#cache ? 'cached' : 'loading'
    if (percent === this.#percent) return
    this.#percent = percent
    this.#emit()
  }

  async #opened(local: LocalProject, caches: ReturnType<typeof indexedDbGridCaches>): Promise<Y.Doc> {
    if (this.#closed) {
      local.destroy()
      throw new Error('The project was closed while it loaded')
    }
    this.#local = local
    const doc = local.doc
    onMapsChanged(doc, (names) => this.#emit(names))
    local.saving?.onChange(() => this.#emit())
    const connection = new Connection(doc, this.projectId, this.token, customNumber(databaseName(this.projectId), 'unsynced'), this.#online)
    connection.onChange(() => {
      if (connection.state === 'online') {
        this.#everSynced = true
        void this.blobs.flush()
      }
      this.#emit()
    })
    connection.awareness.on('change', () => this.#emit())
    this.#connection = connection
    this.#applyPresence()
    this.#writer = new GridCacheWriter(doc, this.projectId, caches, this.mark)
    this.#images = new ImageImport(doc, this.blobs, () => this.#emit())
    this.#flushTimer = setInterval(() => connection.state === 'online' && void this.blobs.flush(), FLUSH_MS)
    // Edits made on the cached cells go in first, before any command that waited for the document.
    this.#earlyProblems = await this.early.applyTo(doc).catch((e: unknown) => [e instanceof Error ? e.message : String(e)])
    this.#phase = 'ready'
    this.#cache = null
    this.mark('strata:editable')
    this.#emit(ALL_MAPS)
    return doc
  }

  #emit(names: ReadonlySet<MapName> = new Set()): void {
    for (const fn of this.#listeners) fn(names)
  }

  /** Closes the project once the import going on has ended; settles when all is closed. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#images?.running
    clearInterval(this.#flushTimer)
    this.#writer?.destroy()
    this.#connection?.destroy()
    this.#local?.destroy()
    this.blobs.destroy()
    this.#listeners.clear()
  }
}
