import type * as Y from 'yjs'
import { NotFoundError, StrataError } from '../../domain/index.ts'
import type { ShardedProject, Shards } from '../../domain/sharded/index.ts'
import { type MuxDoc, MuxProvider } from '../../sync/mux.ts'
import { type LocalProject, openLocalProject } from '../../sync/persistence.ts'
import { PROJECT_ID, shardRoom } from '../../wire.ts'
import { ALL_MAPS, type MapName, onMapsChanged } from '../opened.ts'
import { type Candidate, DEFAULT_BUDGET, type ShardBudget, ShardBudgetError, leastRecentlyUsed } from './budget.ts'
import { ShardDelivery } from './delivery.ts'
import type { ShardChanged, ShardedOptions } from './options.ts'
import { Pins } from './pins.ts'
import { Leases } from './leases.ts'
import { rootShardCount, whenSynced } from './socket.ts'

export type { ShardChanged, ShardedOptions } from './options.ts'

/** One shard document in memory, or on its way there. */
interface Held {
  index: number
  /** Null until its stored updates are applied. */
  local: LocalProject | null
  loading: Promise<Y.Doc>
  used: number
  releasing: Promise<void> | null
}

const NONE: ReadonlySet<MapName> = new Set()

/**
 * One sharded project in the engine: the root always loaded, shard documents loaded on demand
 * (each from its own IndexedDB database, `strata:doc:<P>.s<i>`, in y-indexeddb's layout) and
 * released least recently used first under a budget, all synced over one `MuxProvider`. It is
 * the domain's `Shards`; `ready` answers the `ShardedProject` the domain's sharded API takes.
 *
 * `complete(i)`: shard i was received whole from the server at least once on this device (its
 * sync step 2 applied and stored; kept in the root's database), and, while loaded and
 * connected, its sync step 2 arrived since the socket last subscribed it. A released shard
 * keeps the first answer: what this device saw of it is all stored.
 *
 * A shard is never released while pinned (`pin`), while in use by a command's opens
 * (`Leases`), or while a change to it failed to store; a release unsubscribes it,
 * waits until every change it holds is stored, then destroys its document.
 */
export class ShardedProjectEngine implements Shards {
  readonly projectId: string
  /** Settles once the root is loaded (and, on a device that lacks it, synced). */
  readonly ready: Promise<ShardedProject>
  readonly #options: ShardedOptions
  readonly #budget: ShardBudget
  readonly #held = new Map<number, Held>()
  readonly #pins = new Pins()
  readonly #listeners = new Set<ShardChanged>()
  #count = 0
  #root: LocalProject | null = null
  #provider: MuxProvider | null = null
  #delivery: ShardDelivery | null = null
  #admission: Promise<void> = Promise.resolve()
  #reserved = 0
  #clock = 0
  readonly #leases = new Leases()
  #presence: { name: string; viewing: string } | null = null
  #closed = false
  #wake = (): void => undefined

  constructor(options: ShardedOptions) {
    if (!PROJECT_ID.test(options.projectId)) throw new StrataError(`"${options.projectId}" is not a project id`)
    this.projectId = options.projectId
    this.#options = options
    this.#budget = { ...DEFAULT_BUDGET, ...options.budget }
    this.ready = this.#start()
    this.ready.catch(() => undefined)
  }

  /** How many shards the project has (0 until `ready`). */
  get count(): number { return this.#count }
  /** The socket, once the root is loaded. */
  get provider(): MuxProvider | null { return this.#provider }
  /** The shards loaded now, by index. */
  get loaded(): number[] { return [...this.#held.values()].filter((h) => h.local !== null).map((h) => h.index) }
  /** Shard documents in memory: loaded, or being filled from storage. */
  get documents(): number { return this.loaded.length + this.#reserved }

  /** Calls `fn` on every change of the root or a shard; answers the unsubscribe. */
  onChange(fn: ShardChanged): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  held(i: number): Y.Doc | null {
    const h = this.#held.get(i)
    if (!h?.local || h.releasing) return null
    h.used = ++this.#clock
    return h.local.doc
  }

  complete(i: number): boolean {
    const h = this.#held.get(i)
    const provider = this.#provider
    const once = this.#delivery?.synced.has(i) ?? false
    if (h?.local && !h.releasing && provider?.wsconnected) return provider.docSynced(i) && once
    return once
  }

  open(i: number): Promise<Y.Doc> {
    if (this.#closed) return Promise.reject(new StrataError('The project was closed'))
    if (this.#count === 0) return this.ready.then(() => this.open(i))
    if (!Number.isInteger(i) || i < 0 || i >= this.#count) return Promise.reject(new NotFoundError(`No shard ${i} of ${this.#count}`))
    const h = this.#held.get(i)
    if (h?.releasing) return h.releasing.then(() => this.open(i))
    if (h) {
      // Leased at once, so an open that follows in the same task cannot release it to make room.
      if (h.local) this.#use(h)
      return h.loading.then((doc) => (this.#use(h), doc))
    }
    this.#leases.begin()
    const loading = this.#load(i).finally(() => this.#leases.end())
    this.#held.set(i, { index: i, local: null, loading, used: ++this.#clock, releasing: null })
    return loading
  }

  /** Keeps shard `i` loaded (once loaded) until the answered function is called. */
  pin(i: number): () => void {
    return this.#pins.pin(i)
  }

  /** Changes the budget; settles once the shards over it that may go are released. */
  setBudget(budget: Partial<ShardBudget>): Promise<void> {
    Object.assign(this.#budget, budget)
    return this.#admit(0)
  }

  /** The network came or went. */
  network(online: boolean): void {
    this.#options.online = online
    if (online) this.#provider?.connect()
    else this.#provider?.disconnect()
  }

  /** This replica's presence (on the root), as the tabs publish it. */
  setPresence(user: { name: string; viewing: string }): void {
    this.#presence = user
    this.#provider?.awareness.setLocalStateField('user', user)
  }

  /** Stores every change, releases every shard and the root; settles when all is closed. */
  async close(): Promise<void> {
    this.#closed = true
    this.#wake()
    this.#leases.clear()
    await Promise.allSettled([...this.#held.values()].map((h) => h.loading))
    await Promise.allSettled([...this.#held.values()].map((h) => h.releasing))
    await Promise.all([...this.#held.values()].map((h) => this.#unload(h)))
    this.#provider?.destroy()
    await this.#root?.settled?.()
    this.#root?.destroy()
    this.#listeners.clear()
  }

  async #start(): Promise<ShardedProject> {
    const { projectId, token, server, online } = this.#options
    const root = await openLocalProject(projectId, undefined, undefined, this.#options.compact, this.#options.indexedDB)
    this.#root = root
    this.#delivery = await ShardDelivery.read(projectId, this.#options.indexedDB)
    onMapsChanged(root.doc, (names) => this.#emit(null, names))
    const provider = new MuxProvider(`${server.replace(/\/$/, '')}/mux`, projectId, root.doc, {
      params: { token }, WebSocketPolyfill: this.#options.WebSocket, connect: online,
    })
    this.#provider = provider
    if (this.#presence) provider.awareness.setLocalStateField('user', this.#presence)
    provider.on('doc-sync', (doc, synced) => this.#docSynced(doc, synced))
    provider.on('status', ({ status }) => {
      if (status === 'connected') this.#sendUnsent()
      this.#emit(null, NONE)
    })
    this.#count = await rootShardCount(root.doc, provider, () => this.#closed, (stop) => (this.#wake = stop))
    if (provider.wsconnected) this.#sendUnsent()
    return { root: root.doc, shards: this }
  }

  /** Loads shard `i` into its entry (set by `open` before this first resumes). */
  async #load(i: number): Promise<Y.Doc> {
    let local: LocalProject
    try {
      await this.#admit(1)
      try {
        local = await openLocalProject(shardRoom(this.projectId, i), undefined, undefined, this.#options.compact, this.#options.indexedDB)
      } finally {
        this.#reserved--
      }
    } catch (error) {
      this.#held.delete(i)
      throw error
    }
    const entry = this.#held.get(i) as Held
    entry.local = local
    if (this.#closed) throw new StrataError('The project was closed while a shard loaded')
    onMapsChanged(local.doc, (names) => this.#emit(i, names))
    local.doc.on('update', (_update: Uint8Array, origin: unknown) => this.#delivery?.changed(i, origin, this.#provider))
    this.#provider?.addShard(i, local.doc)
    this.#use(entry)
    this.#emit(i, ALL_MAPS)
    if (this.#provider) await whenSynced(this.#provider, i)
    if (this.#provider?.docSynced(i)) await this.#markSynced(i, local)
    this.#use(entry)
    return local.doc
  }

  #docSynced(doc: MuxDoc, synced: boolean): void {
    const local = doc === null ? null : this.#held.get(doc)?.local
    if (doc !== null && synced && local) {
      void this.#markSynced(doc, local)
      // As the app's link counts it: a completed sync exchange carries what the server lacked.
      void this.#delivery?.unsent.delete(doc)
    }
    this.#emit(doc, NONE)
  }

  /** Once connected, opens each shard holding changes not yet sent, so they reach the server. */
  #sendUnsent(): void {
    if (this.#count > 0) void this.#delivery?.sendUnsent((i) => this.open(i), () => !this.#closed && this.#provider?.wsconnected === true)
  }

  async #markSynced(i: number, local: LocalProject): Promise<void> {
    if (await this.#delivery?.markSynced(i, local)) this.#emit(i, NONE)
  }

  #use(h: Held): void {
    h.used = ++this.#clock
    this.#leases.use(h.index)
  }

  /** Waits its turn, makes room under the budget and reserves a place for `adding` more shards. */
  #admit(adding: number): Promise<void> {
    const turn = this.#admission.then(() => this.#makeRoom(adding))
    this.#admission = turn.catch(() => undefined)
    return turn
  }

  async #makeRoom(adding: number): Promise<void> {
    const tried = new Set<number>()
    for (;;) {
      const held = this.#candidates().filter((c) => !tried.has(c.index))
      const loaded = this.loaded.length
      const full = loaded + this.#reserved + adding > this.#budget.shards
      const bytes = this.#candidates().reduce((sum, c) => sum + c.bytes, 0)
      if (!full && bytes <= this.#budget.bytes) break
      const victim = leastRecentlyUsed(held)
      if (victim === null) {
        if (!full || adding === 0) break
        throw new ShardBudgetError(`${loaded} shards are loaded and all are pinned or in use; the budget is ${this.#budget.shards}`)
      }
      tried.add(victim.index)
      const h = this.#held.get(victim.index)
      if (h) await this.#release(h)
    }
    this.#reserved += adding
  }

  #candidates(): Candidate[] {
    const all: Candidate[] = []
    for (const h of this.#held.values()) {
      if (h.local === null) continue
      const kept = this.#pins.has(h.index) || this.#leases.has(h.index) || h.releasing !== null || (h.local.saving?.error ?? null) !== null
      all.push({ index: h.index, used: h.used, bytes: h.local.bytes ?? 0, kept })
    }
    return all
  }

  #release(h: Held): Promise<void> {
    h.releasing = this.#unload(h).finally(() => (h.releasing = null))
    return h.releasing
  }

  /** Unsubscribes shard `h`, waits until all it holds is stored, and destroys it; a shard whose changes failed to store stays. */
  async #unload(h: Held): Promise<void> {
    const local = h.local
    if (local === null) return
    this.#provider?.removeShard(h.index)
    await local.settled?.()
    if (local.unsaved && !this.#closed) {
      this.#provider?.addShard(h.index, local.doc)
      return
    }
    local.destroy()
    this.#held.delete(h.index)
    this.#emit(h.index, NONE)
  }

  #emit(doc: MuxDoc, names: ReadonlySet<MapName>): void {
    for (const fn of this.#listeners) fn(doc, names)
  }
}
