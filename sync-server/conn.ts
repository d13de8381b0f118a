import type { WebSocket } from 'ws'
import type { Principal } from './auth.ts'
import type { Config } from './config.ts'
import { Outbox } from './outbox.ts'
import type { PresenceHolder } from './presence.ts'

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

/** A new connection's state; `slow` is called when its unsent output passes the cap. */
export const newConn = (ws: WebSocket, who: Principal, config: Config, slow: (backlog: number) => void): Conn => ({
  ws, who, readOnly: who.kind === 'project' && who.role === 'viewer',
  principal: who.kind === 'admin' ? 'admin' : `token:${who.tokenId}`, claimed: new Set(), broughtAt: [], siblings: new Set(),
  out: new Outbox(ws, config.maxQueuedBytes, slow),
  tokens: config.rateBurst, refilledAt: Date.now(), inbound: 0, toldReadOnly: false, synced: false, revoked: false,
})

// Token bucket: bursts (an import, a reconnect) pass, a sustained flood does not.
export const takeToken = (conn: Conn, config: Config): boolean => {
  const now = Date.now()
  conn.tokens = Math.min(config.rateBurst, conn.tokens + ((now - conn.refilledAt) / 1000) * config.ratePerSecond)
  conn.refilledAt = now
  if (conn.tokens < 1) return false
  conn.tokens -= 1
  return true
}
