/**
 * Reassembly of multipart mux messages (see `muxWire.ts`), bounded: at most `maxStreams`
 * messages in progress, `maxBytes` held in all of them together, parts in order and every
 * part but the last full. So a peer that sends endless parts, lies about the count or never
 * finishes a stream holds at most `maxBytes` of the receiver's memory before it is refused.
 * Re-exported by `wire.ts`.
 */
import { MuxError, PART_BYTES } from './muxWire.ts'

/** How much one socket's reassembly may hold. */
export interface PartLimits {
  maxStreams: number
  /** Bytes of all messages in progress together; also the largest message. */
  maxBytes: number
}

interface Stream { doc: number, count: number, chunks: Uint8Array[], bytes: number }

/** The messages in progress on one socket. */
export interface Reassembly {
  readonly limits: PartLimits
  readonly streams: Map<number, Stream>
  bytes: number
}

/** What a part brought: the whole message once its last part arrived, and how far its stream is. */
export interface PartResult { doc: number, received: number, count: number, message: Uint8Array | null }

/** An empty reassembly under `limits`. */
export const newReassembly = (limits: PartLimits): Reassembly => ({ limits, streams: new Map(), bytes: 0 })

/** A part as the decoder gives it. */
export interface Part { doc: number, stream: number, index: number, count: number, bytes: Uint8Array }

const bad = (reason: string): MuxError => new MuxError(4400, reason)
const tooLarge = (reason: string): MuxError => new MuxError(4413, reason)

// A new stream's first part: the count is checked against the cap before anything is kept.
const open = (r: Reassembly, p: Part): Stream => {
  const { maxStreams, maxBytes } = r.limits
  if (p.index !== 0) throw bad(`mux part ${p.index} of stream ${p.stream}, which has not started (parts start at 0)`)
  if (p.count < 2) throw bad(`mux stream ${p.stream} of ${p.count} parts: a message that fits one frame is sent whole`)
  if ((p.count - 1) * PART_BYTES + 1 > maxBytes) throw tooLarge(`mux message of ${p.count} parts is over the ${maxBytes} bytes allowed`)
  if (r.streams.size >= maxStreams) throw tooLarge(`more than ${maxStreams} multipart messages in progress at once`)
  const stream: Stream = { doc: p.doc, count: p.count, chunks: [], bytes: 0 }
  r.streams.set(p.stream, stream)
  return stream
}

/** Takes one part; throws `MuxError` (nothing kept) when it breaks the rules or the limits. */
export const addPart = (r: Reassembly, p: Part): PartResult => {
  const stream = r.streams.get(p.stream) ?? open(r, p)
  if (p.doc !== stream.doc || p.count !== stream.count) throw bad(`mux part of stream ${p.stream} changed its document or part count`)
  if (p.index !== stream.chunks.length) throw bad(`mux part ${p.index} of stream ${p.stream} out of order (expected ${stream.chunks.length})`)
  const last = p.index === p.count - 1
  if (last ? p.bytes.length === 0 || p.bytes.length > PART_BYTES : p.bytes.length !== PART_BYTES) {
    throw bad(`mux part ${p.index} of ${p.count} holds ${p.bytes.length} bytes (every part but the last holds ${PART_BYTES}, the last 1–${PART_BYTES})`)
  }
  if (r.bytes + p.bytes.length > r.limits.maxBytes) throw tooLarge(`multipart messages in progress over the ${r.limits.maxBytes} bytes allowed`)
  // Copied: the frame's buffer may be pooled or reused by the socket.
  stream.chunks.push(p.bytes.slice())
  stream.bytes += p.bytes.length
  r.bytes += p.bytes.length
  const progress = { doc: stream.doc, received: stream.chunks.length, count: stream.count }
  if (!last) return { ...progress, message: null }
  r.streams.delete(p.stream)
  r.bytes -= stream.bytes
  const message = new Uint8Array(stream.bytes)
  let at = 0
  for (const chunk of stream.chunks) {
    message.set(chunk, at)
    at += chunk.length
  }
  return { ...progress, message }
}

/** Drops the streams of one document (it was unsubscribed) or all of them (the socket closed). */
export const dropStreams = (r: Reassembly, doc?: number): void => {
  for (const [id, stream] of r.streams) {
    if (doc !== undefined && stream.doc !== doc) continue
    r.streams.delete(id)
    r.bytes -= stream.bytes
  }
}
