import { WebSocket } from 'ws'

/**
 * What the server sends one connection, with its own account of the bytes the socket has not
 * yet handed to the kernel (a `ws.send` callback fires when it has). A reader that stops
 * reading stops those callbacks, so its backlog grows and it is closed once the backlog passes
 * the cap. A full sync answer (the whole document for a new client) is exempt, but only one is
 * ever in flight: further sync step 1 requests wait, and only the latest is answered.
 */
export class Outbox {
  private queued = 0
  private answering = 0
  private oversize = 0
  private wanted: Uint8Array | null = null

  constructor (
    private readonly ws: WebSocket,
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

  /** Answers a sync step 1 with `encode(stateVector)`, one answer in flight at a time. */
  answer (stateVector: Uint8Array, encode: (stateVector: Uint8Array) => Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    if (this.answering > 0) {
      this.wanted = stateVector
      return
    }
    const frame = encode(stateVector)
    this.answering = frame.length
    this.write(frame, (failed) => {
      this.answering = 0
      const next = this.wanted
      this.wanted = null
      if (next !== null && !failed) this.answer(next, encode)
    })
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
