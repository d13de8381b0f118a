import { Close, Reason } from '../src/wire.ts'
import type { Principal } from './auth.ts'
import { Room, type RoomDeps } from './rooms.ts'

/** A socket that may join rooms of a project later (a mux socket): revoking its token closes it, joined or not. */
export interface ProjectSocket {
  readonly projectId: string
  readonly who: Principal
  close(code: number, reason: string): void
}

/** What the websocket endpoints (plain and mux) need. */
export interface SyncDeps extends RoomDeps { rooms: Rooms, adminHash: string }

/** While the fan-out is away, rooms read the log this often. */
const DEGRADED_CATCH_UP_MS = 1000

/**
 * The rooms held in memory: loaded on first use, evicted when idle, flushed on shutdown. In
 * cluster mode they also read the log now and then, for rows whose relay was lost (a process
 * killed between logging and relaying), and every second while Redis is away; and a token
 * revoked through another process closes its connections here too.
 */
export class Rooms {
  private readonly loaded = new Map<string, Promise<Room>>()
  private readonly idle = new Map<string, NodeJS.Timeout>()
  private readonly sockets = new Set<ProjectSocket>()
  private readonly ticker: NodeJS.Timeout | null = null
  private lastCatchUp = Date.now()

  constructor (private readonly deps: RoomDeps) {
    const { fanout } = deps
    if (fanout === undefined) return
    fanout.onRevoked((projectId, tokenId) => void this.disconnectToken(projectId, tokenId))
    this.ticker = setInterval(() => void this.tick(), Math.min(DEGRADED_CATCH_UP_MS, deps.config.catchUpMs))
    this.ticker.unref()
  }

  /** Closes the connections of a revoked token here and on every other process. */
  async revoke (projectId: string, tokenId: string): Promise<void> {
    this.deps.fanout?.revoked(projectId, tokenId)
    await this.disconnectToken(projectId, tokenId)
  }

  private async tick (): Promise<void> {
    const now = Date.now()
    if (this.deps.fanout?.connected === true && now - this.lastCatchUp < this.deps.config.catchUpMs) return
    this.lastCatchUp = now
    for (const room of await this.all()) {
      room.resync()
      await this.recheckTokens(room)
    }
  }

  // A revocation's message may have been lost with Redis: the tokens themselves are in the database.
  private async recheckTokens (room: Room): Promise<void> {
    const tokens = new Set<string>()
    for (const conn of room.conns.values()) if (conn.who.kind === 'project') tokens.add(conn.who.tokenId)
    if (tokens.size === 0) return
    try {
      const revoked = (await this.deps.storage.listTokens(room.projectId)).filter((t) => t.revoked && tokens.has(t.id))
      for (const t of revoked) await this.disconnectToken(room.projectId, t.id)
    } catch (e) {
      this.deps.log(`room ${room.id}: could not recheck tokens: ${(e as Error).message}`)
    }
  }

  /** The room of a document (a project id, or a shard's room name), loading it once; a failed load is not cached, so the next try reloads. */
  get (id: string): Promise<Room> {
    this.cancelEviction(id)
    let room = this.loaded.get(id)
    if (room === undefined) {
      room = Room.load(id, this.deps)
      room.catch(() => this.loaded.delete(id))
      this.loaded.set(id, room)
    }
    return room
  }

  /** Rooms in memory now. */
  get size (): number {
    return this.loaded.size
  }

  /** Rooms that finished loading. */
  async all (): Promise<Room[]> {
    const settled = await Promise.allSettled(this.loaded.values())
    return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  }

  /** Call when a connection left: an empty room is compacted and dropped after the idle delay. */
  released (room: Room): void {
    // A late close of a connection to an evicted room must not evict its successor.
    if (room.conns.size > 0 || room.evicted || this.idle.has(room.id)) return
    const timer = setTimeout(() => void this.evict(room), this.deps.config.idleRoomMs)
    timer.unref()
    this.idle.set(room.id, timer)
  }

  /** Keeps `socket` known while it is open, so that a revocation reaches it even between subscriptions; answers the release. */
  hold (socket: ProjectSocket): () => void {
    this.sockets.add(socket)
    return () => void this.sockets.delete(socket)
  }

  /** Closes the live connections opened with a token that was just revoked, in the project's root and every shard, and its mux sockets. */
  async disconnectToken (projectId: string, tokenId: string): Promise<void> {
    for (const socket of [...this.sockets]) {
      if (socket.projectId === projectId && socket.who.kind === 'project' && socket.who.tokenId === tokenId) socket.close(Close.UNAUTHORISED, Reason.REVOKED)
    }
    for (const room of (await this.all()).filter((r) => r.projectId === projectId)) {
      for (const conn of [...room.conns.values()]) {
        if (conn.who.kind !== 'project' || conn.who.tokenId !== tokenId) continue
        conn.revoked = true
        room.close(conn, Close.UNAUTHORISED, Reason.REVOKED)
      }
      this.released(room)
    }
  }

  /** Closes every connection, compacts every room and forgets them: for shutdown. */
  async closeAll (code: number, reason: string): Promise<void> {
    if (this.ticker !== null) clearInterval(this.ticker)
    for (const timer of this.idle.values()) clearTimeout(timer)
    this.idle.clear()
    for (const room of await this.all()) {
      for (const conn of [...room.conns.values()]) room.close(conn, code, reason)
      await this.flush(room)
    }
    this.loaded.clear()
  }

  private async evict (room: Room): Promise<void> {
    this.idle.delete(room.id)
    if (room.conns.size > 0 || room.evicted) return
    room.evicted = true
    // Forget it first: a client arriving during the flush loads the flushed log afresh.
    this.loaded.delete(room.id)
    this.deps.fanout?.leave(room.id)
    await this.flush(room)
    room.doc.destroy()
  }

  private async flush (room: Room): Promise<void> {
    try {
      await room.compact()
    } catch (e) {
      this.deps.metrics.storageErrors++
      this.deps.log(`room ${room.id}: compaction failed, the log is kept: ${(e as Error).message}`)
    }
  }

  private cancelEviction (id: string): void {
    const timer = this.idle.get(id)
    if (timer === undefined) return
    clearTimeout(timer)
    this.idle.delete(id)
  }
}
