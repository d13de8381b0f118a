import { WebSocket } from 'ws'

/** Where an outbox writes: a websocket, or a mux socket that frames and splits what it is given. */
export interface Sink {
  readonly readyState: number
  send(frame: Uint8Array, cb: (error?: Error | null) => void): void
}

/** The reason a slow reader is closed with (Close.SLOW_READER). */
export const slowReaderReason = (backlog: number, cap: number): string => {
  const mib = (n: number): string => (n / 1024 / 1024).toFixed(1)
  return `connection too slow: ${mib(backlog)} MiB waiting to be sent to it (cap ${mib(cap)} MiB); reconnect`
}

/**
 * What the server sends one connection, with its own account of the bytes the socket has not
 * yet handed to the kernel (a `ws.send` callback fires when it has). A reader that stops
 * reading stops those callbacks, so its backlog grows and it is closed once the backlog passes
 * the cap. A full sync answer (the whole document for a new client) is exempt, but only one is
 * ever in flight: further sync step 1 requests wait, and only the latest per document is
 * answered (a mux socket asks for many documents; they are answered one after another).
 */
export class Outbox {
  private queued = 0
  private answering = 0
  private oversize = 0
  private readonly wanted = new Map<unknown, { stateVector: Uint8Array, encode: (stateVector: Uint8Array) => Uint8Array }>()

  constructor (
    private readonly ws: Sink,
    private readonly maxQueued: number,
    private readonly onSlow: (backlog: number) => void,
  ) {}

  /**
   * Sends a frame. A frame of any size passes while nothing else waits; one bigger than the cap
   * (a peer's big import) is then exempt like a sync answer, so what follows it is not counted
   * against the reader while it drains.
   */
  send (frame: Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    const backlog = this.queued - this.answering - this.oversize
    if (backlog > 0 && backlog + frame.length > this.maxQueued) return this.onSlow(backlog)
    if (backlog > 0 || this.oversize > 0 || frame.length <= this.maxQueued) return this.write(frame, () => undefined)
    this.oversize = frame.length
    this.write(frame, () => (this.oversize = 0))
  }

  /** Answers a sync step 1 of document `doc` with `encode(stateVector)`, one answer in flight at a time. */
  answer (stateVector: Uint8Array, encode: (stateVector: Uint8Array) => Uint8Array, doc: unknown = null): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    if (this.answering > 0) {
      this.wanted.set(doc, { stateVector, encode })
      return
    }
    const frame = encode(stateVector)
    this.answering = frame.length
    this.write(frame, (failed) => {
      this.answering = 0
      const [next] = this.wanted
      if (next === undefined || failed) return
      this.wanted.delete(next[0])
      this.answer(next[1].stateVector, next[1].encode, next[0])
    })
  }

  /** Forgets a waiting answer (its document was unsubscribed). */
  forget (doc: unknown): void {
    this.wanted.delete(doc)
  }

  /** Bytes sent and not yet taken by the kernel. */
  get backlog (): number {
    return this.queued
  }

  private write (frame: Uint8Array, done: (failed: boolean) => void): void {
    this.queued += frame.length
    this.ws.send(frame, (error) => {
      this.queued -= frame.length
      done(error !== undefined && error !== null)
    })
  }
}
