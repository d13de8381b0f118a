import type { PeerRow, RoomPeer } from './fanout/types.ts'
import { decodeMessage, encodeAwareness } from './protocol.ts'
import type { Presence } from './presence.ts'
import { FROM_PEERS, type RoomLog } from './roomLog.ts'
import type { RoomDeps } from './rooms.ts'

/** Bytes of other processes' rows a busy room keeps waiting before it reads the rest from the log. */
const MAX_PEER_BYTES_WAITING = 16 * 1024 * 1024

/** How long a gap in the relayed rows may wait to be filled by late relays before the log is read. */
const GAP_WAIT_MS = 200

/**
 * What a room hears from the other processes of a cluster: their rows, applied in the room's
 * order (a gap is read from the log), and their connections' presence.
 */
export class RoomPeers implements RoomPeer {
  private bytesWaiting = 0

  constructor (
    private readonly id: string,
    private readonly deps: RoomDeps,
    private readonly log: RoomLog,
    private readonly presence: Presence,
    private readonly enqueue: (fn: () => Promise<void> | void) => Promise<void>,
  ) {}

  /** A row another process logged; applied in the room's order, a gap read from the log. */
  fromPeers (row: PeerRow): void {
    // Relays wait here while the room is busy (a slow append, a compaction); past a cap only
    // their seqs wait, and what they carried is read from the log when their turn comes.
    const bytes = row.update?.byteLength ?? 0
    const kept = this.bytesWaiting + bytes <= MAX_PEER_BYTES_WAITING ? row : { ...row, update: null }
    this.bytesWaiting += kept.update === null ? 0 : bytes
    void this.enqueue(async () => {
      this.bytesWaiting -= kept.update === null ? 0 : bytes
      // A gap that the next relays do not fill soon is read from the log.
      if (await this.log.fromPeer(kept)) this.repairGapSoon()
    })
  }

  /** Presence a connection of another process brought in (that process judged it). */
  presenceFromPeers (principal: string, update: Uint8Array): void {
    const { config } = this.deps
    try {
      const message = decodeMessage(encodeAwareness(update), {
        maxStateBytes: config.maxAwarenessBytes, maxMessageBytes: config.maxPresenceMessageBytes, maxEntries: Number.MAX_SAFE_INTEGER,
      })
      if (message.kind === 'awareness') this.presence.fromPeers(principal, message.clients, FROM_PEERS)
    } catch (e) {
      this.deps.log(`room ${this.id}: dropped presence from another process: ${(e as Error).message}`)
    }
  }

  /** Another process joined the room and asks for the presence this process's connections hold. */
  presenceAsked (): void {
    for (const [principal, update] of this.presence.ownedByPrincipal()) this.deps.fanout?.presence(this.id, principal, update)
  }

  // A gap that the next relays do not fill soon is read from the log.
  repairGapSoon (): void {
    setTimeout(() => { if (this.log.position.gap) this.resync() }, GAP_WAIT_MS).unref()
  }

  /** Reads what the log holds past this room's document: relays may have been lost. */
  resync (): void {
    void this.enqueue(() => this.log.readNew())
  }
}
