import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { MISSING, findRecordProblem } from './records.ts'
import { WebSocket } from 'ws'
import { assertHistoryKept } from '../src/domain/index.ts'
import type { Principal } from './auth.ts'
import type { Config } from './config.ts'
import type { Metrics } from './metrics.ts'
import { Outbox } from './outbox.ts'
import { Presence, type PresenceHolder } from './presence.ts'
import {
  BadMessage, decodeMessage, encodeAwareness, encodePermissionDenied, encodeSyncStep1, encodeSyncStep2,
  encodeUpdate, type Incoming,
} from './protocol.ts'
import type { Storage } from './storage/types.ts'
import { Close, Reason } from '../src/wire.ts'

/** What a room needs from the rest of the server. */
export interface RoomDeps { storage: Storage, config: Config, metrics: Metrics, log: (msg: string) => void }

/** One websocket client in a room. */
export interface Conn extends PresenceHolder {
  ws: WebSocket
  who: Principal
  readOnly: boolean
  out: Outbox
  tokens: number
  refilledAt: number
  /** Bytes received and not yet handled; past a cap the socket is paused. */
  inbound: number
  toldReadOnly: boolean
  /** Set when its token was revoked: nothing it sent is applied any more. */
  revoked: boolean
  /** Whether the client has answered the room's sync step 1 (its step 2 carries all it has). */
  synced: boolean
}

/**
 * Entries an awareness message may name: an echo names ids the room knows or knew a moment ago
 * (a removal of everyone, after a stall, is echoed by every client), plus a margin for new ones.
 */
const presenceEntriesAllowed = (known: number): number => known + 64

/** Told to viewers the first time they send content; the stock client logs it. */
export const READ_ONLY_REASON = Reason.READ_ONLY

/** A room's document: history is kept (no GC) because versions are snapshots into it. */
export const newRoomDoc = (): Y.Doc => new Y.Doc({ gc: false })

/** One project's live document, its connections and their presence. */
export class Room {
  readonly doc = newRoomDoc()
  readonly presence: Presence
  readonly conns = new Map<WebSocket, Conn>()
  // Messages of a room are handled one at a time, so "logged, then applied, then relayed" holds.
  private queue: Promise<void> = Promise.resolve()
  private logRows = 0
  /** Set once the registry dropped the room; a newer room may serve its project now. */
  evicted = false

  private constructor (readonly id: string, private readonly deps: RoomDeps) {
    assertHistoryKept(this.doc)
    this.presence = new Presence(this.doc, { maxIdsPerConnection: deps.config.maxPresenceIds })
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.relay(encodeUpdate(update), origin))
    this.presence.awareness.on('update', ({ added, updated, removed }: AwarenessChange) => {
      const changed = [...added, ...updated, ...removed]
      this.relay(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.presence.awareness, changed)), null)
    })
  }

  /** The room's presence (y-protocols' Awareness). */
  get awareness (): awarenessProtocol.Awareness {
    return this.presence.awareness
  }

  /** Loads the room from storage; throws rather than start from a blank document. */
  static async load (id: string, deps: RoomDeps): Promise<Room> {
    const room = new Room(id, deps)
    const updates = await deps.storage.loadRoom(id)
    room.doc.transact(() => {
      updates.forEach((update, row) => {
        // A row Yjs cannot apply must not make the whole project unloadable: skip it, loudly.
        try {
          Y.applyUpdate(room.doc, update)
        } catch (e) {
          deps.metrics.storageErrors++
          deps.log(`room ${id}: skipped log row ${row}, it cannot be applied: ${(e as Error).message}`)
        }
      })
    }, room)
    room.logRows = updates.length
    return room
  }

  /** Adds a connection and opens the sync handshake. */
  join (ws: WebSocket, who: Principal): Conn {
    const readOnly = who.kind === 'project' && who.role === 'viewer'
    const { config } = this.deps
    const conn: Conn = {
      ws, who, readOnly, principal: who.kind === 'admin' ? 'admin' : `token:${who.tokenId}`, claimed: new Set(), broughtAt: [], siblings: new Set(),
      out: new Outbox(ws, config.maxQueuedBytes, (backlog) => this.slowReader(conn, backlog)),
      tokens: config.rateBurst, refilledAt: Date.now(), inbound: 0, toldReadOnly: false, synced: false, revoked: false,
    }
    this.conns.set(ws, conn)
    conn.out.send(encodeSyncStep1(this.doc))
    const everyone = this.presence.everyone()
    if (everyone !== null) conn.out.send(encodeAwareness(everyone))
    return conn
  }

  /** Validates a frame at once and queues it; a bad or excessive one closes the connection. */
  receive (conn: Conn, frame: Uint8Array): void {
    if (!this.conns.has(conn.ws)) return
    this.deps.metrics.bytesReceived += frame.length
    if (!takeToken(conn, this.deps.config)) return this.refuse(conn, Close.RATE_LIMITED, 'rate limit: too many messages')
    const { config } = this.deps
    let message: Incoming
    try {
      message = decodeMessage(frame, {
        maxStateBytes: config.maxAwarenessBytes,
        maxMessageBytes: config.maxPresenceMessageBytes,
        maxEntries: presenceEntriesAllowed(this.presence.known),
      })
    } catch (e) {
      if (e instanceof BadMessage) return this.refuse(conn, e.code, e.reason)
      throw e
    }
    // Reading stops while a connection's messages wait (slow storage, a burst), so they cannot pile up.
    conn.inbound += frame.length
    if (conn.inbound > config.maxQueuedBytes) conn.ws.pause()
    this.queue = this.queue.then(() => this.handle(conn, message)).catch((e: unknown) => {
      this.deps.log(`room ${this.id}: failed to handle a message: ${(e as Error).message}`)
      this.close(conn, Close.STORAGE_ERROR, 'server error while handling the message')
    }).finally(() => {
      conn.inbound -= frame.length
      if (conn.ws.isPaused && conn.inbound <= config.maxQueuedBytes / 2) conn.ws.resume()
    })
  }

  /** Closes one connection with a code and reason, and forgets it. */
  close (conn: Conn, code: number, reason: string): void {
    this.deps.metrics.closed(code)
    this.leave(conn.ws)
    conn.ws.close(code, reason)
  }

  /** Forgets a connection and the presence it brought. */
  leave (ws: WebSocket): void {
    const conn = this.conns.get(ws)
    if (conn === undefined) return
    this.conns.delete(ws)
    this.presence.leave(conn)
  }

  /** Waits for queued messages, then merges the log into one row. */
  async compact (): Promise<void> {
    await this.queue
    await this.deps.storage.compact(this.id)
    this.logRows = 1
  }

  private refuse (conn: Conn, code: number, reason: string): void {
    this.deps.metrics.messagesRejected++
    this.close(conn, code, reason)
  }

  private async handle (conn: Conn, message: Incoming): Promise<void> {
    // Edits that arrived before the connection went (a tab closed right after an edit, a bad
    // frame later in the same read) are still saved; only a revoked token's are not.
    const write = message.kind === 'update' || message.kind === 'sync-step2'
    if (conn.revoked || (!write && !this.conns.has(conn.ws))) return
    switch (message.kind) {
      case 'sync-step1': return conn.out.answer(message.stateVector, (sv) => encodeSyncStep2(this.doc, sv))
      case 'sync-step2':
        await this.write(conn, message.update, message.empty)
        conn.synced = true
        return
      case 'update': return this.write(conn, message.update, message.empty)
      case 'awareness': {
        const refusal = this.presence.receive(conn, message.clients, conn.ws)
        return refusal === null ? undefined : this.refuse(conn, Close.TOO_LARGE, refusal)
      }
      case 'query-awareness': {
        const everyone = this.presence.everyone()
        return everyone === null ? undefined : conn.out.send(encodeAwareness(everyone))
      }
    }
  }

  // Logged before it is applied and relayed: what a peer has seen, a restart still has.
  private async write (conn: Conn, update: Uint8Array, empty: boolean): Promise<void> {
    if (empty) return
    if (conn.readOnly) return this.dropReadOnly(conn)
    const problem = findRecordProblem(this.doc, update)
    // Before its step 2, a reconnecting client may send an edit that builds on its offline
    // work; that step 2 follows and carries both, so the edit is dropped, not refused.
    if (problem === MISSING && !conn.synced) {
      this.deps.metrics.updatesDropped++
      return
    }
    if (problem !== null) return this.refuse(conn, Close.BAD_MESSAGE, `invalid record: ${problem}`.slice(0, 120))
    try {
      this.logRows = await this.deps.storage.appendUpdate(this.id, update)
    } catch (e) {
      this.deps.metrics.storageErrors++
      this.deps.log(`room ${this.id}: could not log an update: ${(e as Error).message}`)
      // STORAGE_ERROR is "try again later" for the stock client: it reconnects and resends the edit.
      return this.close(conn, Close.STORAGE_ERROR, 'storage error: the edit was not saved, it stays on your device')
    }
    this.deps.metrics.updatesReceived++
    try {
      Y.applyUpdate(this.doc, update, conn.ws)
    } catch (e) {
      // Logged already; loading skips such a row (see `load`), so the project stays usable.
      this.deps.log(`room ${this.id}: an update could not be applied: ${(e as Error).message}`)
      return this.refuse(conn, Close.BAD_MESSAGE, 'invalid update: it cannot be applied')
    }
    if (this.logRows >= this.deps.config.compactAfter) await this.compactNow()
  }

  private dropReadOnly (conn: Conn): void {
    this.deps.metrics.updatesDropped++
    if (conn.toldReadOnly) return
    conn.toldReadOnly = true
    conn.out.send(encodePermissionDenied(READ_ONLY_REASON))
  }

  // The socket would hold everything relayed to it from now on: close it, and drop what waits.
  private slowReader (conn: Conn, backlog: number): void {
    const mib = (n: number): string => (n / 1024 / 1024).toFixed(1)
    this.close(conn, Close.SLOW_READER, `connection too slow: ${mib(backlog)} MiB waiting to be sent to it (cap ${mib(this.deps.config.maxQueuedBytes)} MiB); reconnect`)
    setTimeout(() => conn.ws.terminate(), SLOW_CLOSE_GRACE_MS).unref()
  }

  private async compactNow (): Promise<void> {
    try {
      await this.deps.storage.compact(this.id)
      this.logRows = 1
    } catch (e) {
      this.deps.metrics.storageErrors++
      this.deps.log(`room ${this.id}: compaction failed, the log is kept: ${(e as Error).message}`)
    }
  }

  private relay (frame: Uint8Array, origin: unknown): void {
    for (const [ws, conn] of this.conns) if (ws !== origin) conn.out.send(frame)
  }
}

/** How long a closed slow reader gets to take its close frame before the socket is dropped. */
const SLOW_CLOSE_GRACE_MS = 1000

interface AwarenessChange { added: number[], updated: number[], removed: number[] }

// Token bucket: bursts (an import, a reconnect) pass, a sustained flood does not.
const takeToken = (conn: Conn, config: Config): boolean => {
  const now = Date.now()
  conn.tokens = Math.min(config.rateBurst, conn.tokens + ((now - conn.refilledAt) / 1000) * config.ratePerSecond)
  conn.refilledAt = now
  if (conn.tokens < 1) return false
  conn.tokens -= 1
  return true
}
