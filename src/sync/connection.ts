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

const pendingKey = (projectId: string): string => `strata:unsynced:${projectId}`

/**
 * The websocket link of one project: a stock `WebsocketProvider` plus what the UI needs to
 * know about it. y-websocket has no per-update acknowledgement, so "changes not on server"
 * counts the local transactions made while the link was not synced; the count is kept in
 * localStorage so a reload while offline still shows it, and clears once a sync completes
 * (sync step 2 carries everything the server lacks).
 */
export class Connection {
  readonly provider: WebsocketProvider
  #state: LinkState = 'connecting'
  #retry: ReturnType<typeof setTimeout> | undefined = undefined
  #reason = ''
  #unsynced: number
  #listeners = new Set<Listener>()
  #everConnected = false
  #failed = false

  constructor(
    readonly doc: Y.Doc,
    readonly projectId: string,
    token: string,
    origin = location.origin.replace(/^http/, 'ws'),
  ) {
    this.#unsynced = Number(localStorage.getItem(pendingKey(projectId)) ?? 0) || 0
    this.provider = new WebsocketProvider(`${origin}/sync`, projectId, doc, { params: { token }, disableBc: false })
    if (!navigator.onLine) this.#state = 'offline'
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') this.#everConnected = true
      // "Connecting" only for the first attempt; once an attempt failed, we are offline until one succeeds.
      const first = !this.#everConnected && !this.#failed && navigator.onLine
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
    addEventListener('online', this.#onNetwork)
    addEventListener('offline', this.#onNetwork)
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
    removeEventListener('online', this.#onNetwork)
    removeEventListener('offline', this.#onNetwork)
    this.provider.destroy()
    this.#listeners.clear()
  }

  #onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider) return
    if (this.#state !== 'online') this.#setUnsynced(this.#unsynced + 1)
  }

  #onNetwork = (): void => {
    if (!navigator.onLine) this.#set('offline')
    else if (this.#state !== 'denied' && !this.provider.wsconnected) this.provider.connect()
  }

  #setUnsynced(n: number): void {
    if (n === this.#unsynced) return
    this.#unsynced = n
    localStorage.setItem(pendingKey(this.projectId), String(n))
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
