import type { Appended } from '../storage/types.ts'

/**
 * How the processes that serve one project tell each other what they logged, and carry
 * presence. The log (storage) is the truth; the fan-out only makes peers hear of a row fast.
 * A row may arrive late, twice or never: rooms detect gaps with `LogCursor` and read the log.
 * The embedded single process has no fan-out.
 */
export interface Fanout {
  /** Starts delivering the room's relays from other processes to `peer`; resolves once subscribed. */
  join(room: string, peer: RoomPeer): Promise<void>
  leave(room: string): void
  /** Tells the other processes of a row this process appended (after it is durable). */
  logged(room: string, row: Appended, update: Uint8Array): void
  /** Relays presence a connection of this process brought in, with its token's principal. */
  presence(room: string, principal: string, update: Uint8Array): void
  /** Asks the other processes to resend the presence of their connections in the room. */
  askPresence(room: string): void
  /** Tells every process that a token was revoked, so each closes its connections. */
  revoked(projectId: string, tokenId: string): void
  /** Who closes this process's connections of a token another process revoked. */
  onRevoked(handler: (projectId: string, tokenId: string) => void): void
  /** False while the fan-out cannot deliver (rooms then poll the log). */
  readonly connected: boolean
  close(): Promise<void>
}

/** A row another process logged: its update, or null when it was too big to relay (read it from the log). */
export interface PeerRow { seq: number, prev: number, update: Uint8Array | null }

/** What the fan-out delivers to a room. */
export interface RoomPeer {
  fromPeers(row: PeerRow): void
  presenceFromPeers(principal: string, update: Uint8Array): void
  /** Another process asks for the presence this process's connections speak for. */
  presenceAsked(): void
  /** Relays may have been lost (the fan-out reconnected): read the log. */
  resync(): void
}
