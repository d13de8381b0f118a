/**
 * The multiplexed sync socket (`/mux/<projectId>?token=…`), shared by the server and the app:
 * one websocket carries a project's root document and its shards. Every frame starts with a
 * tag and the document it belongs to (0 = the root, i + 1 = shard i); a y-protocols message
 * follows exactly as the stock protocol frames it. No frame is over `MAX_WIRE_BYTES` in either
 * direction: a bigger message (a shard's first sync step 2) goes as numbered parts, reassembled
 * by the receiver before it is decoded. Re-exported by `wire.ts`.
 *
 *   MESSAGE      varUint 0, varUint doc, y-protocols message (the rest of the frame)
 *   PART         varUint 1, varUint doc, varUint stream, varUint index, varUint count, bytes (the rest)
 *   UNSUBSCRIBE  varUint 2, varUint doc
 *   SUBSCRIBED   varUint 3, varUint doc (server to client only)
 *
 * A client subscribes to a document by sending its sync step 1 (the first message for a
 * document must be one); the server sends SUBSCRIBED for it, then its own step 1 and the
 * answer (step 2), and relays the document's updates to the socket until it unsubscribes.
 * Every subscription gets exactly one SUBSCRIBED, sent after everything of the document's
 * earlier subscriptions on the socket, so a client that unsubscribes and subscribes again
 * knows which frames answer the new one. Presence (awareness) is the root's only.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/** The largest websocket frame either side sends or accepts on the mux socket. */
export const MAX_WIRE_BYTES = 1024 * 1024

/** Bytes of a message one part carries; every part but the last carries exactly this many. */
export const PART_BYTES = MAX_WIRE_BYTES - 64

/** The highest shard index a room name or a mux document may name (projects have at most 1024 shards). */
export const MAX_SHARD = 1023

/** Documents one socket may be subscribed to at once: the root and every shard. */
export const MAX_DOCS = MAX_SHARD + 2

/** Multipart messages one socket may have in progress at once (an honest sender finishes one before the next). */
export const MAX_STREAMS = 2

/** The tag that starts every mux frame. */
export const Mux = { MESSAGE: 0, PART: 1, UNSUBSCRIBE: 2, SUBSCRIBED: 3 } as const

/** The root document's index on the mux socket; shard i is i + 1. */
export const ROOT_DOC = 0

/** One decoded mux frame. */
export type MuxFrame =
  | { kind: 'message', doc: number, message: Uint8Array }
  | { kind: 'part', doc: number, stream: number, index: number, count: number, bytes: Uint8Array }
  | { kind: 'unsubscribe', doc: number }
  | { kind: 'subscribed', doc: number }

/** Close codes a mux frame problem is closed with (the values of `Close` in `wire.ts`). */
type MuxCode = 4400 | 4413

/** A mux frame or part the receiver refuses; the socket is closed with `code` and `reason`. */
export class MuxError extends Error {
  constructor (readonly code: MuxCode, readonly reason: string) {
    super(reason)
    this.name = 'MuxError'
  }
}

const BAD: MuxCode = 4400
const TOO_LARGE: MuxCode = 4413

/** Project ids are what the server generates (UUIDs) or short slugs: never a path, never a dot. */
export const PROJECT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

const ROOM = new RegExp(`^(${PROJECT_ID.source.slice(1, -1)})(?:\\.s(0|[1-9][0-9]{0,3}))?$`)

/** A room the server serves: a project's root (`P`) or one of its shards (`P.s<i>`). */
export interface RoomName { projectId: string, shard: number | null }

/** The room of shard `i` of a project. */
export const shardRoom = (projectId: string, shard: number): string => `${projectId}.s${shard}`

/** The room a mux document index names. */
export const roomOfDoc = (projectId: string, doc: number): string => (doc === ROOT_DOC ? projectId : shardRoom(projectId, doc - 1))

/** A room name read strictly (a project id, then optionally `.s` and a shard index 0–1023), or null. */
export const parseRoom = (name: string): RoomName | null => {
  const m = ROOM.exec(name)
  if (m === null || m[1] === undefined) return null
  const shard = m[2] === undefined ? null : Number(m[2])
  return shard !== null && shard > MAX_SHARD ? null : { projectId: m[1], shard }
}

const head = (tag: number, doc: number): encoding.Encoder => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, tag)
  encoding.writeVarUint(e, doc)
  return e
}

/** A MESSAGE frame: a y-protocols message for `doc` (put it on the wire with `toWire`). */
export const encodeMessage = (doc: number, message: Uint8Array): Uint8Array => {
  const e = head(Mux.MESSAGE, doc)
  encoding.writeUint8Array(e, message)
  return encoding.toUint8Array(e)
}

/** An UNSUBSCRIBE frame. */
export const encodeUnsubscribe = (doc: number): Uint8Array => encoding.toUint8Array(head(Mux.UNSUBSCRIBE, doc))

/** A SUBSCRIBED frame: the server took a step 1 of `doc` as a new subscription; what follows for `doc` answers it. */
export const encodeSubscribed = (doc: number): Uint8Array => encoding.toUint8Array(head(Mux.SUBSCRIBED, doc))

/** What goes on the wire for a MESSAGE frame: the frame itself when it fits, else PART frames of stream `stream`. */
export const toWire = (frame: Uint8Array, stream: number): Uint8Array[] => {
  if (frame.length <= MAX_WIRE_BYTES) return [frame]
  const d = decoding.createDecoder(frame)
  decoding.readVarUint(d)
  const doc = decoding.readVarUint(d)
  const message = frame.subarray(d.pos)
  const count = Math.ceil(message.length / PART_BYTES)
  return Array.from({ length: count }, (_, index) => {
    const e = head(Mux.PART, doc)
    encoding.writeVarUint(e, stream)
    encoding.writeVarUint(e, index)
    encoding.writeVarUint(e, count)
    encoding.writeUint8Array(e, message.subarray(index * PART_BYTES, (index + 1) * PART_BYTES))
    return encoding.toUint8Array(e)
  })
}

/** Decodes one mux frame; throws `MuxError` for a frame over the cap, an unknown tag or a document index out of range. */
export const decodeFrame = (frame: Uint8Array): MuxFrame => {
  if (frame.length > MAX_WIRE_BYTES) throw new MuxError(TOO_LARGE, `mux frame over ${MAX_WIRE_BYTES} bytes: send it in parts`)
  const d = decoding.createDecoder(frame)
  try {
    const tag = decoding.readVarUint(d)
    const doc = decoding.readVarUint(d)
    if (doc >= MAX_DOCS) throw new MuxError(BAD, `mux document ${doc} out of range (0 = root, 1–${MAX_DOCS - 1} = shards 0–${MAX_SHARD})`)
    if (tag === Mux.MESSAGE) return { kind: 'message', doc, message: frame.subarray(d.pos) }
    if (tag === Mux.UNSUBSCRIBE || tag === Mux.SUBSCRIBED) {
      if (d.pos !== frame.length) throw new MuxError(BAD, 'trailing bytes after a mux (un)subscribe')
      return { kind: tag === Mux.UNSUBSCRIBE ? 'unsubscribe' : 'subscribed', doc }
    }
    if (tag !== Mux.PART) throw new MuxError(BAD, `unknown mux frame tag ${tag}`)
    const stream = decoding.readVarUint(d)
    const index = decoding.readVarUint(d)
    const count = decoding.readVarUint(d)
    return { kind: 'part', doc, stream, index, count, bytes: frame.subarray(d.pos) }
  } catch (e) {
    if (e instanceof MuxError) throw e
    throw new MuxError(BAD, 'malformed or truncated mux frame')
  }
}
