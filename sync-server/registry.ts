import { Close, Reason } from '../src/wire.ts'
import { Room, type RoomDeps } from './rooms.ts'

/** The rooms held in memory: loaded on first use, evicted when idle, flushed on shutdown. */
export class Rooms {
  private readonly loaded = new Map<string, Promise<Room>>()
  private readonly idle = new Map<string, NodeJS.Timeout>()

  constructor (private readonly deps: RoomDeps) {}

  /** The room for a project, loading it once; a failed load is not cached, so the next try reloads. */
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

  /** Closes the live connections opened with a token that was just revoked. */
  async disconnectToken (projectId: string, tokenId: string): Promise<void> {
    const room = this.loaded.has(projectId) ? await this.get(projectId).catch(() => null) : null
    for (const conn of [...room?.conns.values() ?? []]) {
      if (conn.who.kind !== 'project' || conn.who.tokenId !== tokenId) continue
      conn.revoked = true
      room?.close(conn, Close.UNAUTHORISED, Reason.REVOKED)
    }
    if (room !== null) this.released(room)
  }

  /** Closes every connection, compacts every room and forgets them: for shutdown. */
  async closeAll (code: number, reason: string): Promise<void> {
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
