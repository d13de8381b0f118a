import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import { allowed, authenticate, type Principal } from './auth.ts'
import type { SyncDeps } from './registry.ts'
import { ConnectionLimits } from './limits.ts'
import { type Conn, type Link, inboundGate } from './conn.ts'
import { serveMux } from './mux.ts'
import { SLOW_CLOSE_GRACE_MS, closeWith, toBytes } from './sockets.ts'
import { Outbox, slowReaderReason } from './outbox.ts'
import type { Room, RoomDeps } from './rooms.ts'
import { Close, MAX_WIRE_BYTES, PROJECT_ID, Reason, parseRoom } from '../src/wire.ts'


/** What the upgrade check decided: the room a plain socket syncs, or the project a mux socket carries. */
export type Verdict = { ok: true, projectId: string, room: string, mux: boolean, who: Principal } | { ok: false, code: number, reason: string }


/** Frames up to this size may be sent by a socket whose upgrade was refused (it is closed at once). */
const REFUSED_MAX_PAYLOAD = 1024

/**
 * Serves `ws://HOST:PORT/sync/<room>?token=…` (a project's root `P` or a shard `P.s<i>`, the
 * stock protocol) and `/mux/<projectId>?token=…` (every document of the project on one socket,
 * `mux.ts`); a token of the project opens all of them. Auth runs before the handshake completes,
 * and a refusal is a close code (not an HTTP error) so the stock client stops retrying. The
 * role decides the frame cap before a byte of a frame is read: a viewer's socket never buffers
 * more than about twice its small cap.
 */
export const attachSync = (server: Server, deps: SyncDeps): { clients: () => number, close: () => void } => {
  const { config } = deps
  // ws closes frames over maxPayload with Close.MESSAGE_TOO_BIG; frames between the cap and this wall get Close.TOO_LARGE.
  const wall = (cap: number): number => cap * 2 + 1024
  const editors = new WebSocketServer({ noServer: true, maxPayload: wall(config.maxMessageBytes) })
  const viewers = new WebSocketServer({ noServer: true, maxPayload: wall(config.viewerMaxMessageBytes) })
  const refused = new WebSocketServer({ noServer: true, maxPayload: REFUSED_MAX_PAYLOAD })
  // Both roles: no mux frame is over 1 MiB, and larger messages come in parts.
  const muxes = new WebSocketServer({ noServer: true, maxPayload: wall(MAX_WIRE_BYTES) })
  const limits = new ConnectionLimits(config)
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    if (!/^\/(sync|mux)\//.test(req.url ?? '')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const address = req.socket.remoteAddress ?? 'unknown'
    const release = [limits.take('address', address)]
    // The socket, not the websocket: a client gone before the handshake completes is released too.
    socket.once('close', () => { for (const r of release) r?.() })
    void judge(req, deps).then((judged) => {
      let verdict: Verdict = release[0] === null ? limits.refusal('address') : judged
      if (verdict.ok) {
        release.push(limits.take('token', principalKey(verdict.who)))
        if (release[1] === null) verdict = limits.refusal('token')
      }
      const wss = !verdict.ok ? refused : verdict.mux ? muxes : isViewer(verdict.who) ? viewers : editors
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', (e) => deps.log(`websocket error: ${e.message}`))
        if (!verdict.ok) return closeWith(ws, deps, verdict.code, verdict.reason)
        deps.metrics.connectionsOpened++
        const cap = isViewer(verdict.who) ? config.viewerMaxMessageBytes : config.maxMessageBytes
        if (verdict.mux) serveMux(ws, verdict.projectId, verdict.who, cap, deps)
        else void connect(ws, verdict.room, verdict.who, cap, deps)
      })
    })
  })
  const all = [editors, viewers, muxes, refused]
  return {
    clients: () => editors.clients.size + viewers.clients.size + muxes.clients.size,
    close: () => {
      for (const wss of all) {
        for (const ws of wss.clients) ws.terminate()
        wss.close()
      }
    },
  }
}

const isViewer = (who: Principal): boolean => who.kind === 'project' && who.role === 'viewer'

const principalKey = (who: Principal): string => (who.kind === 'admin' ? 'admin' : who.tokenId)

// From the raw path: URL parsing would normalise `/sync/x/..` into something else.
const target = (req: IncomingMessage): { mux: boolean, room: string } | null => {
  const path = (req.url ?? '').split('?')[0] ?? ''
  const mux = path.startsWith('/mux/')
  let room: string
  try {
    room = decodeURIComponent(path.slice(mux ? '/mux/'.length : '/sync/'.length))
  } catch {
    return null
  }
  return (mux ? PROJECT_ID.test(room) : parseRoom(room) !== null) ? { mux, room } : null
}

const judge = async (req: IncomingMessage, deps: SyncDeps): Promise<Verdict> => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const asked = target(req)
  if (asked === null) return { ok: false, code: Close.BAD_MESSAGE, reason: Reason.INVALID_PROJECT_ID }
  const projectId = parseRoom(asked.room)?.projectId ?? asked.room
  try {
    const who = await authenticate(deps.storage, deps.adminHash, url.searchParams.get('token'))
    if (who === null) return { ok: false, code: Close.UNAUTHORISED, reason: Reason.UNAUTHORISED }
    if (!allowed(who, projectId, 'read')) return { ok: false, code: Close.FORBIDDEN, reason: Reason.FORBIDDEN }
    if (await deps.storage.getProject(projectId) === undefined) return { ok: false, code: Close.NO_PROJECT, reason: Reason.NO_PROJECT }
    return { ok: true, projectId, who, ...asked }
  } catch (e) {
    deps.metrics.storageErrors++
    deps.log(`auth lookup failed: ${(e as Error).message}`)
    return { ok: false, code: Close.STORAGE_ERROR, reason: 'storage error while checking the token' }
  }
}

/** A plain socket as a room's link; its outbox closes it as a slow reader past the cap. */
const socketLink = (ws: WebSocket, deps: RoomDeps): Link => {
  const out = new Outbox(ws, deps.config.maxQueuedBytes, (backlog) => {
    link.close(Close.SLOW_READER, slowReaderReason(backlog, deps.config.maxQueuedBytes))
    deps.metrics.closed(Close.SLOW_READER)
    setTimeout(() => ws.terminate(), SLOW_CLOSE_GRACE_MS).unref()
  })
  const link: Link = { out, close: (code, reason) => ws.close(code, reason), ...inboundGate(ws, deps.config.maxQueuedBytes) }
  return link
}

// Frames that arrive while the room loads wait, so nothing is answered from a blank document.
const connect = async (ws: WebSocket, roomId: string, who: Principal, cap: number, deps: SyncDeps): Promise<void> => {
  const link = socketLink(ws, deps)
  const early: Uint8Array[] = []
  let earlyBytes = 0
  let joined: { room: Room, conn: Conn } | null = null
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (ws.readyState !== WebSocket.OPEN) return
    const frame = toBytes(data)
    if (!isBinary) return refuse(Close.BAD_MESSAGE, 'text frames are not part of the protocol')
    if (frame.length > cap) return refuse(Close.TOO_LARGE, `message over ${cap} bytes${cap < deps.config.maxMessageBytes ? ' (the cap of a viewer)' : ''}`)
    if (joined !== null) joined.room.receive(joined.conn, frame)
    else if (early.length < deps.config.rateBurst && (earlyBytes += frame.length) <= cap) early.push(frame)
    else refuse(Close.RATE_LIMITED, 'rate limit: too many messages before the project loaded')
  })
  const refuse = (code: number, reason: string): void => {
    deps.metrics.messagesRejected++
    if (joined !== null) joined.room.close(joined.conn, code, reason)
    else closeWith(ws, deps, code, reason)
  }
  ws.on('close', () => {
    if (joined === null) return
    joined.room.leave(link)
    deps.rooms.released(joined.room)
  })
  let room: Room
  try {
    room = await deps.rooms.get(roomId)
  } catch (e) {
    deps.metrics.storageErrors++
    deps.log(`room ${roomId}: load failed: ${(e as Error).message}`)
    return closeWith(ws, deps, Close.STORAGE_ERROR, 'storage error: could not load the project, try again later')
  }
  if (ws.readyState !== WebSocket.OPEN) return deps.rooms.released(room)
  joined = { room, conn: room.join(link, who) }
  for (const frame of early) joined.room.receive(joined.conn, frame)
}
