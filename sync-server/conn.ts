import type { Principal } from './auth.ts'
import type { Config } from './config.ts'
import type { PresenceHolder } from './presence.ts'

/** What a room sends one connection, with backpressure accounting (`Outbox`, or one document's share of a mux socket's). */
export interface Sender {
  send(frame: Uint8Array): void
  /** Answers a sync step 1 with `encode(stateVector)`; one full answer in flight per socket. */
  answer(stateVector: Uint8Array, encode: (stateVector: Uint8Array) => Uint8Array): void
}

/**
 * The socket end of a room's connection: a plain websocket, or one document of a mux socket.
 * Closing it closes the socket (a mux socket with every document on it: one client, one verdict).
 */
export interface Link {
  readonly out: Sender
  close(code: number, reason: string): void
  /** Counts bytes received and not yet handled: past a cap the socket stops reading (a mux socket counts all its documents together). */
  received(bytes: number): void
  handled(bytes: number): void
}

/**
 * The inbound gate of one socket: reading stops while more than `cap` bytes it sent wait to be
 * handled (slow storage, a burst), and resumes under half of it.
 */
export const inboundGate = (ws: { pause(): void, resume(): void, readonly isPaused: boolean }, cap: number): Pick<Link, 'received' | 'handled'> => {
  let waiting = 0
  return {
    received: (bytes) => {
      waiting += bytes
      if (waiting > cap) ws.pause()
    },
    handled: (bytes) => {
      waiting -= bytes
      if (ws.isPaused && waiting <= cap / 2) ws.resume()
    },
  }
}

/** One websocket client in a room (a mux socket is one per document it subscribed). */
export interface Conn extends PresenceHolder {
  link: Link
  who: Principal
  readOnly: boolean
  out: Sender
  tokens: number
  refilledAt: number
  toldReadOnly: boolean
  /** Set when its token was revoked: nothing it sent is applied any more. */
  revoked: boolean
  /** Whether the client has answered the room's sync step 1 (its step 2 carries all it has). */
  synced: boolean
}

/** A new connection's state. */
export const newConn = (link: Link, who: Principal, config: Config): Conn => ({
  link, who, readOnly: who.kind === 'project' && who.role === 'viewer',
  principal: who.kind === 'admin' ? 'admin' : `token:${who.tokenId}`, claimed: new Set(), broughtAt: [], siblings: new Set(),
  out: link.out,
  tokens: config.rateBurst, refilledAt: Date.now(), toldReadOnly: false, synced: false, revoked: false,
})

/** A rate bucket: a connection's, or a mux socket's for all its documents together. */
export interface Bucket { tokens: number, refilledAt: number }

// Token bucket: bursts (an import, a reconnect) pass, a sustained flood does not.
export const takeToken = (bucket: Bucket, config: Config): boolean => {
  const now = Date.now()
  bucket.tokens = Math.min(config.rateBurst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * config.ratePerSecond)
  bucket.refilledAt = now
  if (bucket.tokens < 1) return false
  bucket.tokens -= 1
  return true
}
