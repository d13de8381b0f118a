import type * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import type { Awareness } from 'y-protocols/awareness'
import { Close, isRefusal } from '../wire.ts'

/** What the sidebar says about the link to the server. */
export type LinkState = 'connecting' | 'syncing' | 'online' | 'offline' | 'denied'

type Listener = () => void

/** After the server's "slow down" (y-websocket stops on every 44xx close) we come back after a pause. */
const RETRY_AFTER_RATE_LIMIT_MS = 5_000

const refusal = (code: number, reason: string): string =>
  reason || (code === Close.UNAUTHORISED ? 'This link is not valid (anymore)' : code === Close.FORBIDDEN ? 'This link may not open this project' : `The server refused a message (code ${code})`)

/** Where the count of changes not on the server is kept across reloads (the project's own storage). */
export interface CountStore {
  read(): Promise<number>
  write(n: number): void
}

/**
 * The websocket link of one project: a stock `WebsocketProvider` plus what the UI needs to
 * know about it. y-websocket has no per-update acknowledgement, so "changes not on server"
 * counts the local transactions made while the link was not synced; the count is kept in
 * the project's storage so a reload while offline still shows it, and clears once a sync
 * completes (sync step 2 carries everything the server lacks). Runs in the engine worker:
 * the tabs tell it when the network comes and goes (`network`).
 */
export class Connection {
  readonly provider: WebsocketProvider
  #state: LinkState = 'connecting'
  #retry: ReturnType<typeof setTimeout> | undefined = undefined
  #reason = ''
  #unsynced = 0
  #online: boolean
  #listeners = new Set<Listener>()
  #everConnected = false
  #failed = false

  constructor(
    readonly doc: Y.Doc,
    readonly projectId: string,
    token: string,
    readonly counts: CountStore,
    online: boolean,
    origin = location.origin.replace(/^http/, 'ws'),
  ) {
    this.#online = online
    void counts.read().then((n) => {
      if (this.#state !== 'online' && n > 0) this.#setUnsynced(this.#unsynced + n)
    }, () => undefined)
    this.provider = new WebsocketProvider(`${origin}/sync`, projectId, doc, { params: { token }, disableBc: false })
    if (!online) this.#state = 'offline'
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') this.#everConnected = true
      // "Connecting" only for the first attempt; once an attempt failed, we are offline until one succeeds.
      const first = !this.#everConnected && !this.#failed && this.#online
      this.#set(status === 'connected' ? 'syncing' : status === 'connecting' && first ? 'connecting' : 'offline')
    })
    this.provider.on('connection-error', () => {
      this.#failed = true
      if (!this.provider.wsconnected) this.#set('offline')
    })
    this.provider.on('sync', (synced: boolean) => {
      if (!synced) return
      this.#setUnsynced(0)
      this.#set('online')
    })
    this.provider.on('connection-close', (event) => {
      this.#failed = true
      if (!event || !isRefusal(event.code)) return
      this.provider.disconnect()
      if (event.code === Close.RATE_LIMITED) {
        clearTimeout(this.#retry)
        this.#retry = setTimeout(() => this.#state !== 'denied' && this.provider.connect(), RETRY_AFTER_RATE_LIMIT_MS)
        return
      }
      // Auth failures and refused messages: retrying would be refused the same way; say why.
      this.#reason = refusal(event.code, event.reason)
      this.#set('denied')
    })
    doc.on('update', this.#onUpdate)
  }

  get state(): LinkState {
    return this.#state
  }

  /** Why the server refused us, when it did. */
  get reason(): string {
    return this.#reason
  }

  /** Local changes made since the last completed sync. */
  get unsynced(): number {
    return this.#unsynced
  }

  get awareness(): Awareness {
    return this.provider.awareness
  }

  /** Calls `fn` whenever state or counts change; answers the unsubscribe. */
  onChange(fn: Listener): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  destroy(): void {
    // A pending retry would reconnect a closed project's provider.
    clearTimeout(this.#retry)
    this.doc.off('update', this.#onUpdate)
    this.provider.destroy()
    this.#listeners.clear()
  }

  #onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider) return
    if (this.#state !== 'online') this.#setUnsynced(this.#unsynced + 1)
  }

  /** The network came or went (a tab saw `online` / `offline`). */
  network(online: boolean): void {
    this.#online = online
    if (!online) this.#set('offline')
    else if (this.#state !== 'denied' && !this.provider.wsconnected) this.provider.connect()
  }

  #setUnsynced(n: number): void {
    if (n === this.#unsynced) return
    this.#unsynced = n
    this.counts.write(n)
    this.#emit()
  }

  #set(state: LinkState): void {
    if (this.#state === 'denied' && state !== 'denied') return
    this.#state = state
    this.#emit()
  }

  #emit(): void {
    for (const fn of this.#listeners) fn()
  }
}
