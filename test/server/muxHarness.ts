import WebSocket from 'ws'
import * as Y from 'yjs'
import { MuxProvider } from '../../src/sync/mux.ts'
import { Close, decodeFrame } from '../../src/wire.ts'

/**
 * What crossed one client's socket: sizes of every frame each way, and the document of each
 * received. While `held` is set, frames are recorded on arrival but reach the provider only
 * when `release()` is called, in order (frames still on their way after a quick client action).
 */
export interface Wire { sent: number[], received: number[], receivedDocs: number[], held: boolean, release: () => void }

/** A mux client in Node: the app's provider over `ws`, with what went over its wire. */
export interface MuxClient {
  root: Y.Doc
  provider: MuxProvider
  shards: Map<number, Y.Doc>
  wire: Wire
  closes: Array<{ code: number, reason: string }>
  progress: Array<{ doc: number | null, received: number, count: number }>
  denied: string[]
  /** Adds shard `i` with a fresh doc (or the one given); answers the doc. */
  add(i: number, doc?: Y.Doc): Y.Doc
}

const size = (data: unknown): number => (data instanceof ArrayBuffer ? data.byteLength : (data as Uint8Array).byteLength)

/** A `ws` WebSocket class that records every frame it sends and receives. */
const recording = (wire: Wire) => class extends WebSocket {
  constructor (url: string) {
    super(url)
    const send = this.send.bind(this)
    this.send = ((data: Uint8Array, ...rest: unknown[]) => {
      wire.sent.push(data.byteLength)
      ;(send as (d: Uint8Array, ...r: unknown[]) => void)(data, ...rest)
    }) as typeof this.send
    this.on('message', (data: ArrayBuffer | Buffer) => {
      wire.received.push(size(data))
      wire.receivedDocs.push(decodeFrame(new Uint8Array(data)).doc)
    })
    const handler = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')
    const waiting: Array<() => void> = []
    wire.release = () => {
      wire.held = false
      for (const deliver of waiting.splice(0)) deliver()
    }
    Object.defineProperty(this, 'onmessage', {
      get: () => handler?.get?.call(this),
      set: (fn: ((event: unknown) => void) | null) => handler?.set?.call(this, fn && ((event: unknown) => {
        if (wire.held) waiting.push(() => fn(event))
        else fn(event)
      })),
    })
  }
}

/** Connects a MuxProvider to `/mux/<projectId>`; 4401/4403 end its retries, as they do for the stock client. */
export const connectMux = (base: string, projectId: string, token: string, root = new Y.Doc({ gc: false })): MuxClient => {
  const wire: Wire = { sent: [], received: [], receivedDocs: [], held: false, release: () => undefined }
  const provider = new MuxProvider(`${base.replace(/^http/, 'ws')}/mux`, projectId, root, {
    params: { token },
    WebSocketPolyfill: recording(wire) as unknown as typeof globalThis.WebSocket,
    maxBackoffTime: 300,
  })
  const client: MuxClient = {
    root, provider, shards: new Map(), wire, closes: [], progress: [], denied: [],
    add: (i, doc = new Y.Doc({ gc: false })) => {
      client.shards.set(i, doc)
      provider.addShard(i, doc)
      return doc
    },
  }
  provider.on('connection-close', (event) => {
    if (event === null) return
    client.closes.push(event)
    if (event.code === Close.UNAUTHORISED || event.code === Close.FORBIDDEN) provider.disconnect()
  })
  provider.on('progress', (p) => client.progress.push(p))
  provider.on('permission-denied', (_doc, reason) => client.denied.push(reason))
  return client
}

/** The `scratch` map of a doc as JSON, for comparing replicas. */
export const scratch = (doc: Y.Doc): string => JSON.stringify(Object.entries(doc.getMap('scratch').toJSON()).sort(([a], [b]) => (a < b ? -1 : 1)))
