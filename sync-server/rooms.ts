import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { MISSING, findRecordProblem } from './records.ts'
import { assertHistoryKept } from '../src/domain/index.ts'
import type { Principal } from './auth.ts'
import type { Config } from './config.ts'
import type { Metrics } from './metrics.ts'
import { type Conn, type Link, newConn, takeToken } from './conn.ts'
import { Presence } from './presence.ts'
import { relayInBatches } from './presenceRelay.ts'
import {
  BadMessage, decodeMessage, encodeAwareness, encodePermissionDenied, encodeSyncStep1, encodeSyncStep2,
  encodeUpdate, type Incoming,
} from './protocol.ts'
import type { Fanout } from './fanout/types.ts'
import { RoomPeers } from './roomPeers.ts'
import { RoomLog } from './roomLog.ts'
import type { Appended, Storage } from './storage/types.ts'
import { Close, Reason, parseRoom } from '../src/wire.ts'

/** What a room needs from the rest of the server. */
export interface RoomDeps {
  storage: Storage
  config: Config
  metrics: Metrics
  log: (msg: string) => void
  /** Other processes serving the same projects (cluster mode); absent for the embedded process. */
  fanout?: Fanout
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

/** One document's room (a project's root, or one of its shards): the live document, its connections and their presence. */
export class Room {
  readonly doc = newRoomDoc()
  readonly presence: Presence
  readonly conns = new Map<Link, Conn>()
  // Messages of a room are handled one at a time, so "logged, then applied, then relayed" holds.
  private queue: Promise<void> = Promise.resolve()
  /** What the document holds of the log; other processes append to it too in cluster mode. */
  private readonly log: RoomLog
  /** What other processes send the room (cluster mode). */
  readonly peers: RoomPeers
  /** Set once the registry dropped the room; a newer room may serve its project now. */
  evicted = false
  /** The project whose root or shard this room is. */
  readonly projectId: string
  /** The shard the room is (its records are checked as that shard's), or null for the project's root. */
  readonly shard: number | null

  private constructor (readonly id: string, private readonly deps: RoomDeps) {
    const name = parseRoom(id)
    if (name === null) throw new InvalidRoomError(id)
    this.projectId = name.projectId
    this.shard = name.shard
    assertHistoryKept(this.doc)
    this.log = new RoomLog(id, this.doc, deps)
    const { fanout } = deps
    this.presence = new Presence(this.doc, {
      maxIdsPerConnection: deps.config.maxPresenceIds,
      brought: fanout === undefined ? undefined : (principal, update) => fanout.presence(id, principal, update),
    })
    this.peers = new RoomPeers(id, deps, this.log, this.presence, (fn) => this.enqueue(fn))
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.relay(encodeUpdate(update), origin))
    relayInBatches(this.doc, this.presence.awareness, (frame) => this.relay(frame, null))
  }

  /** The room's presence (y-protocols' Awareness). */
  get awareness (): awarenessProtocol.Awareness {
    return this.presence.awareness
  }

  /** Loads the room from storage; throws rather than start from a blank document. */
  static async load (id: string, deps: RoomDeps): Promise<Room> {
    const room = new Room(id, deps)
    // Subscribed before the log is read, so nothing logged in between is missed.
    await deps.fanout?.join(id, room.peers)
    // At the head of the room's queue: relays that arrive meanwhile wait for it.
    const loading = room.log.load(room)
    room.queue = loading.catch(() => undefined)
    try {
      await loading
    } catch (e) {
      deps.fanout?.leave(id)
      room.doc.destroy()
      throw e
    }
    if (deps.fanout !== undefined) {
      room.presence.settle(PRESENCE_SETTLE_MS)
      deps.fanout.askPresence(id)
    }
    return room
  }

  /** Reads what the log holds past this room's document: relays may have been lost. */
  resync (): void {
    this.peers.resync()
  }

  /** Resolves once what any process logged up to now is applied (for a read that must be current). */
  async catchUp (): Promise<void> {
    if (this.deps.fanout === undefined) return this.queue
    await this.enqueue(() => this.log.readNew())
  }

  /** How far the room's document holds the log. */
  get logPosition (): { seq: number, gap: boolean } {
    return this.log.position
  }

  private enqueue (fn: () => Promise<void> | void): Promise<void> {
    const done = this.queue.then(fn)
    this.queue = done.catch((e: unknown) => {
      this.deps.metrics.storageErrors++
      this.deps.log(`room ${this.id}: could not read the log: ${(e as Error).message}`)
    })
    return done
  }

  /** Adds a connection and opens the sync handshake. */
  join (link: Link, who: Principal): Conn {
    const conn = newConn(link, who, this.deps.config)
    this.conns.set(link, conn)
    conn.out.send(encodeSyncStep1(this.doc))
    const everyone = this.presence.everyone()
    if (everyone !== null) conn.out.send(encodeAwareness(everyone))
    return conn
  }

  /** Validates a frame at once and queues it; a bad or excessive one closes the connection. */
  receive (conn: Conn, frame: Uint8Array): void {
    if (!this.conns.has(conn.link)) return
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
    conn.link.received(frame.length)
    this.queue = this.queue.then(() => this.handle(conn, message)).catch((e: unknown) => {
      this.deps.log(`room ${this.id}: failed to handle a message: ${(e as Error).message}`)
      this.close(conn, Close.STORAGE_ERROR, 'server error while handling the message')
    }).finally(() => conn.link.handled(frame.length))
  }

  /** Closes one connection with a code and reason, and forgets it. */
  close (conn: Conn, code: number, reason: string): void {
    this.deps.metrics.closed(code)
    this.leave(conn.link)
    conn.link.close(code, reason)
  }

  /** Forgets a connection and the presence it brought. */
  leave (link: Link): void {
    const conn = this.conns.get(link)
    if (conn === undefined) return
    this.conns.delete(link)
    this.presence.leave(conn)
  }

  /** Waits for queued messages, then merges the log into one row. */
  async compact (): Promise<void> {
    await this.queue
    if (await this.deps.storage.compact(this.id)) this.log.rows = 1
  }

  private refuse (conn: Conn, code: number, reason: string): void {
    this.deps.metrics.messagesRejected++
    this.close(conn, code, reason)
  }

  private async handle (conn: Conn, message: Incoming): Promise<void> {
    // Edits that arrived before the connection went (a tab closed right after an edit, a bad
    // frame later in the same read) are still saved; only a revoked token's are not.
    const write = message.kind === 'update' || message.kind === 'sync-step2'
    if (conn.revoked || (!write && !this.conns.has(conn.link))) return
    switch (message.kind) {
      case 'sync-step1': return conn.out.answer(message.stateVector, (sv) => encodeSyncStep2(this.doc, sv))
      case 'sync-step2':
        await this.write(conn, message.update, message.empty)
        conn.synced = true
        return
      case 'update': return this.write(conn, message.update, message.empty)
      case 'awareness': {
        const refusal = this.presence.receive(conn, message.clients, conn.link)
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
    let problem = findRecordProblem(this.doc, update, this.shard)
    // Another process may have logged what the edit builds on a moment ago: read the log first.
    if (problem === MISSING && this.deps.fanout !== undefined) {
      await this.log.readNew()
      problem = findRecordProblem(this.doc, update, this.shard)
    }
    // Before its step 2, a reconnecting client may send an edit that builds on its offline
    // work; that step 2 follows and carries both, so the edit is dropped, not refused.
    if (problem === MISSING && !conn.synced) {
      this.deps.metrics.updatesDropped++
      return
    }
    if (problem !== null) return this.refuse(conn, Close.BAD_MESSAGE, `invalid record: ${problem}`.slice(0, 120))
    let row: Appended
    try {
      row = await this.deps.storage.appendUpdate(this.id, update)
    } catch (e) {
      this.deps.metrics.storageErrors++
      this.deps.log(`room ${this.id}: could not log an update: ${(e as Error).message}`)
      // STORAGE_ERROR is "try again later" for the stock client: it reconnects and resends the edit.
      return this.close(conn, Close.STORAGE_ERROR, 'storage error: the edit was not saved, it stays on your device')
    }
    this.deps.metrics.updatesReceived++
    this.deps.fanout?.logged(this.id, row, update)
    try {
      Y.applyUpdate(this.doc, update, conn.link)
    } catch (e) {
      // Logged already; loading skips such a row (see `load`), so the project stays usable.
      this.deps.log(`room ${this.id}: an update could not be applied: ${(e as Error).message}`)
      return this.refuse(conn, Close.BAD_MESSAGE, 'invalid update: it cannot be applied')
    } finally {
      if (this.log.appended(row)) this.peers.repairGapSoon()
    }
    if (this.log.rows >= this.deps.config.compactAfter) await this.compactNow()
  }

  private dropReadOnly (conn: Conn): void {
    this.deps.metrics.updatesDropped++
    if (conn.toldReadOnly) return
    conn.toldReadOnly = true
    conn.out.send(encodePermissionDenied(READ_ONLY_REASON))
  }

  private async compactNow (): Promise<void> {
    try {
      if (await this.deps.storage.compact(this.id)) this.log.rows = 1
    } catch (e) {
      this.deps.metrics.storageErrors++
      this.deps.log(`room ${this.id}: compaction failed, the log is kept: ${(e as Error).message}`)
    }
  }

  private relay (frame: Uint8Array, origin: unknown): void {
    for (const [link, conn] of this.conns) if (link !== origin) conn.out.send(frame)
  }
}

/** A room name that is not a project id with an optional shard suffix: callers validate names first. */
export class InvalidRoomError extends Error {
  constructor (id: string) {
    super(`invalid room name ${JSON.stringify(id.slice(0, 80))}`)
    this.name = 'InvalidRoomError'
  }
}

/** How long a room just loaded in a cluster waits for the other processes' presence before its connections claim ids. */
const PRESENCE_SETTLE_MS = 500

