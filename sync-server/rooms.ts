import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { MISSING, findRecordProblem } from './records.ts'
import { WebSocket } from 'ws'
import { assertHistoryKept } from '../src/domain/index.ts'
import type { Principal } from './auth.ts'
import type { Config } from './config.ts'
import type { Metrics } from './metrics.ts'
import {
  BadMessage, decodeMessage, encodeAwareness, encodePermissionDenied, encodeSyncStep1, encodeSyncStep2,
  encodeUpdate, type Incoming,
} from './protocol.ts'
import type { Storage } from './storage/types.ts'
import { Close, Reason } from '../src/wire.ts'

/** What a room needs from the rest of the server. */
export interface RoomDeps { storage: Storage, config: Config, metrics: Metrics, log: (msg: string) => void }

/** One websocket client in a room. */
export interface Conn {
  ws: WebSocket
  who: Principal
  readOnly: boolean
  /** Presence this connection brought (removed when it leaves). */
  awarenessIds: Set<number>
  /** Every presence id it ever named, its own or not: capped, as y-protocols keeps each. */
  awarenessNamed: Set<number>
  tokens: number
  refilledAt: number
  toldReadOnly: boolean
  /** Set when its token was revoked: nothing it sent is applied any more. */
  revoked: boolean
  /** Whether the client has answered the room's sync step 1 (its step 2 carries all it has). */
  synced: boolean
}

/** Presence ids one connection may bring (a tab has one; a few for reconnects). */
const MAX_AWARENESS_IDS = 8

/** Told to viewers the first time they send content; the stock client logs it. */
export const READ_ONLY_REASON = Reason.READ_ONLY

/** A room's document: history is kept (no GC) because versions are snapshots into it. */
export const newRoomDoc = (): Y.Doc => new Y.Doc({ gc: false })

/** One project's live document, its connections and their presence. */
export class Room {
  readonly doc = newRoomDoc()
  readonly awareness = new awarenessProtocol.Awareness(this.doc)
  readonly conns = new Map<WebSocket, Conn>()
  // Messages of a room are handled one at a time, so "logged, then applied, then relayed" holds.
  private queue: Promise<void> = Promise.resolve()
  private logRows = 0
  /** Set once the registry dropped the room; a newer room may serve its project now. */
  evicted = false

  private constructor (readonly id: string, private readonly deps: RoomDeps) {
    assertHistoryKept(this.doc)
    // The server keeps no local presence: it only relays clients'.
    this.awareness.setLocalState(null)
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.relay(encodeUpdate(update), origin))
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const changed = [...added, ...updated, ...removed]
      const conn = origin instanceof WebSocket ? this.conns.get(origin) : undefined
      if (conn !== undefined) for (const id of added) conn.awarenessIds.add(id)
      this.relay(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)), null)
    })
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
    const conn: Conn = {
      ws, who, readOnly, awarenessIds: new Set(), awarenessNamed: new Set(), tokens: this.deps.config.rateBurst, refilledAt: Date.now(), toldReadOnly: false, synced: false, revoked: false,
    }
    this.conns.set(ws, conn)
    send(ws, encodeSyncStep1(this.doc))
    const states = [...this.awareness.getStates().keys()]
    if (states.length > 0) send(ws, encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states)))
    return conn
  }

  /** Validates a frame at once and queues it; a bad or excessive one closes the connection. */
  receive (conn: Conn, frame: Uint8Array): void {
    if (!this.conns.has(conn.ws)) return
    this.deps.metrics.bytesReceived += frame.length
    if (!takeToken(conn, this.deps.config)) return this.refuse(conn, Close.RATE_LIMITED, 'rate limit: too many messages')
    let message: Incoming
    try {
      message = decodeMessage(frame, this.deps.config.maxAwarenessBytes)
    } catch (e) {
      if (e instanceof BadMessage) return this.refuse(conn, e.code, e.reason)
      throw e
    }
    this.queue = this.queue.then(() => this.handle(conn, message)).catch((e: unknown) => {
      this.deps.log(`room ${this.id}: failed to handle a message: ${(e as Error).message}`)
      this.close(conn, Close.STORAGE_ERROR, 'server error while handling the message')
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
    awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null)
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
      case 'sync-step1': return send(conn.ws, encodeSyncStep2(this.doc, message.stateVector))
      case 'sync-step2':
        await this.write(conn, message.update, message.empty)
        conn.synced = true
        return
      case 'update': return this.write(conn, message.update, message.empty)
      case 'awareness':
        for (const { clientId } of message.clients) conn.awarenessNamed.add(clientId)
        if (conn.awarenessNamed.size > MAX_AWARENESS_IDS) {
          return this.refuse(conn, 4413, `presence for more than ${MAX_AWARENESS_IDS} clients on one connection`)
        }
        return awarenessProtocol.applyAwarenessUpdate(this.awareness, message.update, conn.ws)
      case 'query-awareness':
        return send(conn.ws, encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()])))
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
      // 4500 is "try again later" for the stock client: it reconnects and resends the edit.
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
    send(conn.ws, encodePermissionDenied(READ_ONLY_REASON))
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
    for (const ws of this.conns.keys()) if (ws !== origin) send(ws, frame)
  }
}

interface AwarenessChange { added: number[], updated: number[], removed: number[] }

const send = (ws: WebSocket, frame: Uint8Array): void => {
  if (ws.readyState === WebSocket.OPEN) ws.send(frame)
}

// Token bucket: bursts (an import, a reconnect) pass, a sustained flood does not.
const takeToken = (conn: Conn, config: Config): boolean => {
  const now = Date.now()
  conn.tokens = Math.min(config.rateBurst, conn.tokens + ((now - conn.refilledAt) / 1000) * config.ratePerSecond)
  conn.refilledAt = now
  if (conn.tokens < 1) return false
  conn.tokens -= 1
  return true
}
