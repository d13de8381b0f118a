import { WebSocket, type RawData } from 'ws'
import type { Principal } from './auth.ts'
import { type Bucket, type Conn, type Link, type Sender, inboundGate, takeToken } from './conn.ts'
import { Outbox, slowReaderReason } from './outbox.ts'
import type { Room } from './rooms.ts'
import { SLOW_CLOSE_GRACE_MS, closeWith, toBytes } from './sockets.ts'
import type { SyncDeps } from './registry.ts'
import {
  Close, MAX_STREAMS, Message, MuxError, ROOT_DOC, addPart, decodeFrame, dropStreams, encodeMessage, encodeSubscribed, newReassembly, roomOfDoc, toWire,
} from '../src/wire.ts'

/** One document a mux socket subscribed: its room once loaded, and what it sent meanwhile. */
interface Subscription {
  readonly doc: number
  readonly link: Link
  joined: { room: Room, conn: Conn } | null
  early: Uint8Array[]
  gone: boolean
}

/**
 * Room loads one socket may have in flight; its other subscriptions wait in order. Each load
 * reads and applies a log on the event loop, so a socket subscribing every shard at once would
 * otherwise hold the process for everyone.
 */
export const MAX_LOADS_PER_SOCKET = 4

const isSyncStep1 = (message: Uint8Array): boolean => message[0] === Message.SYNC && message[1] === 0
const isPresence = (message: Uint8Array): boolean => message[0] === Message.AWARENESS || message[0] === Message.QUERY_AWARENESS

/**
 * One multiplexed socket (`/mux/<projectId>`, the frames of `src/muxWire.ts`): a connection in
 * the room of every document it subscribed, each judged by its room as a plain socket is. The
 * socket as a whole has one rate bucket, one outbox (one full sync answer in flight, the
 * backlog cap over everything sent to it), one inbound gate and one reassembly of parts (at
 * most MAX_STREAMS in progress and the role's message cap in bytes). Any refusal closes the
 * socket: it is one client.
 */
class MuxSocket {
  private readonly subs = new Map<number, Subscription>()
  /** Subscriptions whose room load has not started, oldest first. */
  private readonly toLoad: Subscription[] = []
  private loading = 0
  private readonly parts
  private readonly bucket: Bucket
  private readonly out: Outbox
  private readonly gate
  private earlyBytes = 0
  private stream = 0

  constructor (
    private readonly ws: WebSocket,
    private readonly projectId: string,
    private readonly who: Principal,
    private readonly cap: number,
    private readonly deps: SyncDeps,
  ) {
    const { config } = deps
    this.parts = newReassembly({ maxStreams: MAX_STREAMS, maxBytes: cap })
    this.bucket = { tokens: config.rateBurst, refilledAt: Date.now() }
    this.gate = inboundGate(ws, config.maxQueuedBytes)
    const sink = { get readyState () { return ws.readyState }, send: (frame: Uint8Array, done: (e?: Error | null) => void) => this.write(frame, done) }
    this.out = new Outbox(sink, config.maxQueuedBytes, (backlog) => this.slow(backlog))
    ws.on('message', (data: RawData, isBinary: boolean) => this.receive(toBytes(data), isBinary))
    // Known to the rooms while open: a token revoked while this socket holds no room still closes it.
    const release = deps.rooms.hold({ projectId, who, close: (code, reason) => closeWith(ws, deps, code, reason) })
    ws.on('close', () => {
      release()
      for (const doc of [...this.subs.keys()]) this.unsubscribe(doc)
      dropStreams(this.parts)
    })
  }

  // A message bigger than a frame goes as parts, sent back to back: parts of two messages never interleave.
  private write (frame: Uint8Array, done: (error?: Error | null) => void): void {
    const frames = toWire(frame, (this.stream = (this.stream + 1) % 0x7fffffff))
    let left = frames.length
    let failed: Error | null = null
    for (const f of frames) {
      this.ws.send(f, (e) => {
        failed ??= e ?? null
        if (--left === 0) done(failed)
      })
    }
  }

  private receive (frame: Uint8Array, isBinary: boolean): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    if (!isBinary) return this.refuse(Close.BAD_MESSAGE, 'text frames are not part of the protocol')
    if (!takeToken(this.bucket, this.deps.config)) return this.refuse(Close.RATE_LIMITED, 'rate limit: too many messages')
    try {
      const decoded = decodeFrame(frame)
      if (decoded.kind === 'unsubscribe') return this.unsubscribe(decoded.doc)
      if (decoded.kind === 'subscribed') return this.refuse(Close.BAD_MESSAGE, 'a mux subscribed frame is the server\'s to send')
      if (decoded.kind === 'message') return this.deliver(decoded.doc, decoded.message)
      const part = addPart(this.parts, decoded)
      if (part.message !== null) this.deliver(part.doc, part.message)
    } catch (e) {
      if (e instanceof MuxError) return this.refuse(e.code, e.reason)
      throw e
    }
  }

  private deliver (doc: number, message: Uint8Array): void {
    if (message.length > this.cap) return this.refuse(Close.TOO_LARGE, `message over ${this.cap} bytes`)
    if (doc !== ROOT_DOC && isPresence(message)) return this.refuse(Close.BAD_MESSAGE, `presence lives on the root document (mux document 0), not on document ${doc}`)
    let sub = this.subs.get(doc)
    if (sub === undefined) {
      if (!isSyncStep1(message)) return this.refuse(Close.BAD_MESSAGE, `mux document ${doc} is not subscribed: its first message must be sync step 1`)
      sub = this.subscribe(doc)
    }
    if (sub.joined !== null) return sub.joined.room.receive(sub.joined.conn, message)
    if (sub.early.length >= this.deps.config.rateBurst || (this.earlyBytes += message.length) > this.cap) {
      return this.refuse(Close.RATE_LIMITED, 'rate limit: too many messages before the document loaded')
    }
    sub.early.push(message)
  }

  // The room loads while its early messages wait, so nothing is answered from a blank document.
  // SUBSCRIBED goes first: what the socket was sent of an earlier subscription went before it.
  private subscribe (doc: number): Subscription {
    const sub: Subscription = { doc, link: this.link(doc), joined: null, early: [], gone: false }
    this.subs.set(doc, sub)
    this.out.send(encodeSubscribed(doc))
    this.toLoad.push(sub)
    this.loadNext()
    return sub
  }

  // Starts waiting loads while fewer than MAX_LOADS_PER_SOCKET are in flight; one that ends starts the next.
  private loadNext (): void {
    while (this.loading < MAX_LOADS_PER_SOCKET && this.ws.readyState === WebSocket.OPEN) {
      const sub = this.toLoad.shift()
      if (sub === undefined) return
      if (sub.gone) continue
      this.loading++
      this.load(sub).finally(() => {
        this.loading--
        this.loadNext()
      })
    }
  }

  private async load (sub: Subscription): Promise<void> {
    const id = roomOfDoc(this.projectId, sub.doc)
    let room: Room
    try {
      room = await this.deps.rooms.get(id)
    } catch (e) {
      this.deps.metrics.storageErrors++
      this.deps.log(`room ${id}: load failed: ${(e as Error).message}`)
      return closeWith(this.ws, this.deps, Close.STORAGE_ERROR, 'storage error: could not load a document of the project, try again later')
    }
    if (sub.gone || this.ws.readyState !== WebSocket.OPEN) return this.deps.rooms.released(room)
    const conn = room.join(sub.link, this.who)
    sub.joined = { room, conn }
    for (const message of sub.early.splice(0)) {
      this.earlyBytes -= message.length
      room.receive(conn, message)
    }
  }

  // Edits the room already queued are still saved; relays stop now.
  private unsubscribe (doc: number): void {
    const sub = this.subs.get(doc)
    if (sub === undefined) return
    this.subs.delete(doc)
    sub.gone = true
    for (const message of sub.early.splice(0)) this.earlyBytes -= message.length
    dropStreams(this.parts, doc)
    this.out.forget(doc)
    if (sub.joined === null) return
    sub.joined.room.leave(sub.link)
    this.deps.rooms.released(sub.joined.room)
  }

  // One document's share of the socket; the shards' rooms relay presence too, which is the root's only here.
  private link (doc: number): Link {
    const out: Sender = {
      send: (frame) => {
        if (doc === ROOT_DOC || !isPresence(frame)) this.out.send(encodeMessage(doc, frame))
      },
      answer: (stateVector, encode) => this.out.answer(stateVector, (sv) => encodeMessage(doc, encode(sv)), doc),
    }
    return { out, close: (code, reason) => this.ws.close(code, reason), ...this.gate }
  }

  private refuse (code: number, reason: string): void {
    this.deps.metrics.messagesRejected++
    closeWith(this.ws, this.deps, code, reason)
  }

  private slow (backlog: number): void {
    closeWith(this.ws, this.deps, Close.SLOW_READER, slowReaderReason(backlog, this.deps.config.maxQueuedBytes))
    setTimeout(() => this.ws.terminate(), SLOW_CLOSE_GRACE_MS).unref()
  }
}

/** Serves a mux socket whose upgrade was authorised for `projectId` (`who`'s role caps its messages at `cap`). */
export const serveMux = (ws: WebSocket, projectId: string, who: Principal, cap: number, deps: SyncDeps): void => {
  void new MuxSocket(ws, projectId, who, cap, deps)
}
