import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { Close, Message, PERMISSION_DENIED } from '../src/wire.ts'

const SYNC_STEP1 = 0
const SYNC_STEP2 = 1
const SYNC_UPDATE = 2

/** One decoded, validated client message. */
export type Incoming =
  | { kind: 'sync-step1', stateVector: Uint8Array }
  | { kind: 'sync-step2' | 'update', update: Uint8Array, empty: boolean }
  | { kind: 'awareness', update: Uint8Array, clients: AwarenessEntry[] }
  | { kind: 'query-awareness' }

/** One client's entry in an awareness update; `state` null means the client left. */
export interface AwarenessEntry { clientId: number, clock: number, state: unknown, json: string }

/** A message the server refuses; the connection is closed with `code` and `reason`. */
export class BadMessage extends Error {
  constructor (readonly code: typeof Close.BAD_MESSAGE | typeof Close.TOO_LARGE, readonly reason: string) {
    super(reason)
    this.name = 'BadMessage'
  }
}

const SYNC_KINDS = ['sync-step1', 'sync-step2', 'update'] as const

/**
 * Decodes a whole frame and validates every part of it, so nothing is applied from a
 * message that later turns out truncated or malformed.
 */
export const decodeMessage = (frame: Uint8Array, presence: PresenceCaps): Incoming => {
  const decoder = decoding.createDecoder(frame)
  const message = read(() => {
    const type = decoding.readVarUint(decoder)
    if (type === Message.SYNC) return decodeSync(decoder)
    if (type === Message.AWARENESS) return decodeAwareness(decoding.readVarUint8Array(decoder), presence)
    if (type === Message.QUERY_AWARENESS) return { kind: 'query-awareness' } as const
    throw new BadMessage(Close.BAD_MESSAGE, `unknown message type ${type}`)
  })
  if (decoder.pos !== frame.length) throw new BadMessage(Close.BAD_MESSAGE, 'trailing bytes after message')
  return message
}

// lib0 decoders throw plain errors on truncated input: name them as a bad message.
const read = <T>(fn: () => T): T => {
  try {
    return fn()
  } catch (e) {
    if (e instanceof BadMessage) throw e
    throw new BadMessage(Close.BAD_MESSAGE, 'malformed or truncated message')
  }
}

const decodeSync = (decoder: decoding.Decoder): Incoming => {
  const sub = decoding.readVarUint(decoder)
  const kind = SYNC_KINDS[sub]
  if (kind === undefined) throw new BadMessage(Close.BAD_MESSAGE, `unknown sync message type ${sub}`)
  const payload = decoding.readVarUint8Array(decoder)
  if (kind === 'sync-step1') {
    Y.decodeStateVector(payload)
    return { kind, stateVector: payload }
  }
  let decoded: { structs: unknown[], ds: { clients: Map<number, unknown[]> } }
  try {
    decoded = Y.decodeUpdate(payload)
  } catch {
    throw new BadMessage(Close.BAD_MESSAGE, 'invalid or truncated Yjs update')
  }
  return { kind, update: payload, empty: decoded.structs.length === 0 && decoded.ds.clients.size === 0 }
}

/** Caps on one awareness message, which honestly relays the presence of everyone in the room. */
export interface PresenceCaps {
  /** Largest state of one client. */
  maxStateBytes: number
  /** Largest awareness message. */
  maxMessageBytes: number
  /** Most entries in one message: an echo names everyone the room holds, plus a margin. */
  maxEntries: number
}

const decodeAwareness = (update: Uint8Array, caps: PresenceCaps): Incoming => {
  if (update.length > caps.maxMessageBytes) throw new BadMessage(Close.TOO_LARGE, `awareness update over ${caps.maxMessageBytes} bytes`)
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  if (count > caps.maxEntries) throw new BadMessage(Close.TOO_LARGE, `awareness update for ${count} clients, more than the ${caps.maxEntries} this room allows`)
  const clients: AwarenessEntry[] = []
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const json = decoding.readVarString(decoder)
    if (json.length > caps.maxStateBytes) throw new BadMessage(Close.TOO_LARGE, `awareness state over ${caps.maxStateBytes} bytes`)
    clients.push({ clientId, clock, json, state: parseJson(json) })
  }
  if (decoder.pos !== update.length) throw new BadMessage(Close.BAD_MESSAGE, 'trailing bytes in awareness update')
  return { kind: 'awareness', update, clients }
}

const parseJson = (json: string): unknown => {
  try {
    return JSON.parse(json)
  } catch {
    throw new BadMessage(Close.BAD_MESSAGE, 'awareness state is not JSON')
  }
}

/** Sync step 1 carrying the room's state vector. */
export const encodeSyncStep1 = (doc: Y.Doc): Uint8Array => frame(Message.SYNC, SYNC_STEP1, Y.encodeStateVector(doc))

/** Sync step 2: what the client lacks, given its state vector. */
export const encodeSyncStep2 = (doc: Y.Doc, stateVector: Uint8Array): Uint8Array =>
  frame(Message.SYNC, SYNC_STEP2, Y.encodeStateAsUpdate(doc, stateVector))

/** A live update relayed to peers. */
export const encodeUpdate = (update: Uint8Array): Uint8Array => frame(Message.SYNC, SYNC_UPDATE, update)

/** An awareness update relayed as is. */
export const encodeAwareness = (update: Uint8Array): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, Message.AWARENESS)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** y-protocols' "permission denied" auth message: the stock client logs the reason. */
export const encodePermissionDenied = (reason: string): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, Message.AUTH)
  encoding.writeVarUint(encoder, PERMISSION_DENIED)
  encoding.writeVarString(encoder, reason)
  return encoding.toUint8Array(encoder)
}

const frame = (type: number, sub: number, payload: Uint8Array): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, type)
  encoding.writeVarUint(encoder, sub)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}
