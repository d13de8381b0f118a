import { ROOT_DOC } from '../wire.ts'

/** The link's state, as the stock provider names it. */
export type MuxStatus = 'connecting' | 'connected' | 'disconnected'

/** A document on the socket: `null` is the root, a number a shard. */
export type MuxDoc = number | null

/** What a `MuxProvider` tells its owner; the names and shapes of the stock provider's where it has them. */
export interface MuxEvents {
  status: (event: { status: MuxStatus }) => void
  /** True once the root and every added shard have synced; false when one is added or the link drops. */
  sync: (synced: boolean) => void
  /** One document synced (the server's answer to its current subscription arrived) or lost its sync. */
  'doc-sync': (doc: MuxDoc, synced: boolean) => void
  /** Parts of a big message (a shard's first state) received so far, of `count`. */
  progress: (event: { doc: MuxDoc, received: number, count: number }) => void
  'connection-close': (event: { code: number, reason: string } | null) => void
  'connection-error': (event: unknown) => void
  /** The server refused us for good (4400–4499): no more retries until `connect()`. */
  closed: (event: { code: number, reason: string }) => void
  /** The server dropped what we sent to `doc` (a viewer's edit). */
  'permission-denied': (doc: MuxDoc, reason: string) => void
}

/** How a `MuxProvider` connects. */
export interface MuxOptions {
  /** Query parameters, e.g. `{ token }`. */
  params?: Record<string, string>
  /** The WebSocket class (Node's `ws` in tests); the global one by default, so it runs in a worker. */
  WebSocketPolyfill?: typeof WebSocket
  /** Longest wait between reconnection attempts (backoff doubles from 200 ms). */
  maxBackoffTime?: number
  /** Connect at once (default true). */
  connect?: boolean
  /** Largest message the server may send in parts; bounds what reassembly holds. */
  maxMessageBytes?: number
}

/** A document's number on the wire (0 the root, i + 1 shard i), and back. */
export const indexOf = (doc: MuxDoc): number => (doc === null ? ROOT_DOC : doc + 1)
export const docOf = (index: number): MuxDoc => (index === ROOT_DOC ? null : index - 1)
