import type { RawData, WebSocket } from 'ws'
import type { RoomDeps } from './rooms.ts'

/** How long a closed slow reader gets to take its close frame before the socket is dropped. */
export const SLOW_CLOSE_GRACE_MS = 1000

/** Counts and sends a close the server decided on. */
export const closeWith = (ws: WebSocket, deps: RoomDeps, code: number, reason: string): void => {
  deps.metrics.closed(code)
  ws.close(code, reason)
}

/** A frame copied into a fresh array, so decoders can never see a neighbouring message in a pooled buffer. */
export const toBytes = (data: RawData): Uint8Array => {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  return new Uint8Array(data instanceof ArrayBuffer ? data.slice(0) : data)
}
