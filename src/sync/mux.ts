import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { ObservableV2 } from 'lib0/observable'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import type * as Y from 'yjs'
import {
  MAX_SHARD, MAX_STREAMS, Message, MuxError, ROOT_DOC, addPart, decodeFrame, dropStreams, encodeMessage, encodeUnsubscribe,
  isRefusal, newReassembly, toWire, type Reassembly,
} from '../wire.ts'
import { type MuxDoc, type MuxEvents, type MuxOptions, type MuxStatus, docOf, indexOf } from './muxEvents.ts'

export type { MuxDoc, MuxEvents, MuxOptions, MuxStatus } from './muxEvents.ts'

interface Held { doc: Y.Doc, synced: boolean, onUpdate: (update: Uint8Array, origin: unknown) => void }

const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 * 1024


const syncMessage = (write: (encoder: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, Message.SYNC)
  write(e)
  return encoding.toUint8Array(e)
}

/**
 * One socket for a project's root and any of its shards (`/mux/<projectId>`, `src/muxWire.ts`):
 * connects and reconnects like the stock `WebsocketProvider` (same events, backoff, presence on
 * the root), while the caller adds and removes shard documents at runtime. Messages over 1 MiB
 * go in parts both ways. Uses nothing of the DOM but `WebSocket`, so it runs in a worker.
 */
export class MuxProvider extends ObservableV2<MuxEvents> {
  readonly awareness: awarenessProtocol.Awareness
  readonly url: string
  ws: WebSocket | null = null
  wsconnected = false
  shouldConnect = false
  readonly #WS: typeof WebSocket
  readonly #maxBackoff: number
  readonly #docs = new Map<number, Held>()
  readonly #parts: Reassembly
  /** Per document, the subscriptions sent on this socket whose SUBSCRIBED has not arrived: frames before it are an older subscription's. */
  readonly #awaiting = new Map<number, number>()
  #stream = 0
  #failures = 0
  #retry: ReturnType<typeof setTimeout> | undefined
  #synced = false

  constructor (serverUrl: string, projectId: string, readonly root: Y.Doc, options: MuxOptions = {}) {
    super()
    const query = new URLSearchParams(options.params ?? {}).toString()
    this.url = `${serverUrl.replace(/\/$/, '')}/${encodeURIComponent(projectId)}${query === '' ? '' : `?${query}`}`
    this.#WS = options.WebSocketPolyfill ?? WebSocket
    this.#maxBackoff = options.maxBackoffTime ?? 2500
    this.#parts = newReassembly({ maxStreams: MAX_STREAMS, maxBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES })
    this.awareness = new awarenessProtocol.Awareness(root)
    this.awareness.on('update', this.#onPresence)
    this.#hold(ROOT_DOC, root)
    if (options.connect ?? true) this.connect()
  }

  /** True while connected and the root and every added shard have synced. */
  get synced (): boolean {
    return this.#synced
  }

  /** Whether one document has synced on this connection. */
  docSynced (doc: MuxDoc): boolean {
    return this.#docs.get(indexOf(doc))?.synced ?? false
  }

  /** The shards added, by index. */
  get shards (): number[] {
    return [...this.#docs.keys()].filter((i) => i !== ROOT_DOC).map((i) => i - 1)
  }

  /** Syncs shard `shard` with `doc` from now on (it replaces a doc added before for that shard). */
  addShard (shard: number, doc: Y.Doc): void {
    if (!Number.isInteger(shard) || shard < 0 || shard > MAX_SHARD) throw new RangeError(`shard ${shard} is not 0–${MAX_SHARD}`)
    const index = indexOf(shard)
    if (this.#docs.get(index)?.doc === doc) return
    this.removeShard(shard)
    this.#hold(index, doc)
    this.#subscribe(index)
    this.#resync()
  }

  /** Stops syncing shard `shard` (its doc is left as it is). */
  removeShard (shard: number): void {
    const index = indexOf(shard)
    const held = this.#docs.get(index)
    if (held === undefined) return
    held.doc.off('update', held.onUpdate)
    this.#docs.delete(index)
    // A stream of it in progress is let finish (its parts keep coming) and dropped whole in `#handle`.
    if (this.wsconnected) this.ws?.send(encodeUnsubscribe(index))
    this.#resync()
  }

  /** Connects (again), e.g. when the network came back or after a refusal. */
  connect (): void {
    this.shouldConnect = true
    if (this.ws === null) this.#open()
  }

  /** Closes the socket and stops reconnecting until `connect()`. */
  disconnect (): void {
    this.shouldConnect = false
    clearTimeout(this.#retry)
    if (this.ws !== null) this.#closed(this.ws, null)
  }

  override destroy (): void {
    if (this.wsconnected && this.awareness.getLocalState() !== null) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [this.root.clientID], 'local')
    }
    this.disconnect()
    for (const shard of this.shards) this.removeShard(shard)
    this.root.off('update', this.#docs.get(ROOT_DOC)?.onUpdate ?? (() => undefined))
    this.awareness.off('update', this.#onPresence)
    this.awareness.destroy()
    super.destroy()
  }

  #hold (index: number, doc: Y.Doc): void {
    const onUpdate = (update: Uint8Array, origin: unknown): void => {
      if (origin !== this) this.#send(index, syncMessage((e) => syncProtocol.writeUpdate(e, update)))
    }
    doc.on('update', onUpdate)
    this.#docs.set(index, { doc, synced: false, onUpdate })
  }

  #subscribe (index: number): void {
    const held = this.#docs.get(index)
    if (held === undefined || !this.#send(index, syncMessage((e) => syncProtocol.writeSyncStep1(e, held.doc)))) return
    this.#awaiting.set(index, (this.#awaiting.get(index) ?? 0) + 1)
  }

  // The server's SUBSCRIBED for one subscription sent: once the last has come, frames answer the current doc.
  #subscribed (index: number): void {
    const left = (this.#awaiting.get(index) ?? 0) - 1
    if (left > 0) this.#awaiting.set(index, left)
    else this.#awaiting.delete(index)
  }

  // Only this client's own presence is sent: the server relays everyone's, and echoes cost a message each.
  #onPresence = ({ added, updated, removed }: { added: number[], updated: number[], removed: number[] }, origin: unknown): void => {
    if (origin === this || ![...added, ...updated, ...removed].includes(this.root.clientID)) return
    this.#sendPresence()
  }

  #sendPresence (): void {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, Message.AWARENESS)
    encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.root.clientID]))
    this.#send(ROOT_DOC, encoding.toUint8Array(e))
  }

  /** Sends a message of document `index`; answers whether the socket was open to take it. */
  #send (index: number, message: Uint8Array): boolean {
    const ws = this.ws
    if (!this.wsconnected || ws === null || ws.readyState !== ws.OPEN) return false
    this.#stream = (this.#stream + 1) % 0x7fffffff
    for (const frame of toWire(encodeMessage(index, message), this.#stream)) ws.send(frame)
    return true
  }

  #open (): void {
    const ws = new this.#WS(this.url)
    ws.binaryType = 'arraybuffer'
    this.ws = ws
    ws.onmessage = (event: MessageEvent) => {
      if (this.ws === ws) this.#receive(new Uint8Array(event.data as ArrayBuffer))
    }
    ws.onerror = (event) => {
      if (this.ws === ws) this.emit('connection-error', [event])
    }
    ws.onclose = (event) => this.#closed(ws, { code: event.code, reason: event.reason })
    ws.onopen = () => {
      if (this.ws !== ws) return
      this.wsconnected = true
      this.emit('status', [{ status: 'connected' }])
      for (const index of this.#docs.keys()) this.#subscribe(index)
      if (this.awareness.getLocalState() !== null) this.#sendPresence()
    }
    this.emit('status', [{ status: 'connecting' }])
  }

  #closed (ws: WebSocket, event: { code: number, reason: string } | null): void {
    if (this.ws !== ws) return
    this.ws = null
    ws.onmessage = ws.onopen = ws.onclose = null
    ws.onerror = () => undefined
    ws.close()
    dropStreams(this.#parts)
    this.#awaiting.clear()
    this.emit('connection-close', [event])
    if (this.wsconnected) {
      this.wsconnected = false
      for (const [index, held] of this.#docs) {
        if (!held.synced) continue
        held.synced = false
        this.emit('doc-sync', [docOf(index), false])
      }
      const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.root.clientID)
      awarenessProtocol.removeAwarenessStates(this.awareness, others, this)
      this.#resync()
      this.emit('status', [{ status: 'disconnected' }])
    }
    this.#failures++
    const refused = event !== null && isRefusal(event.code)
    if (refused) this.shouldConnect = false
    clearTimeout(this.#retry)
    if (this.shouldConnect) this.#retry = setTimeout(() => this.shouldConnect && this.ws === null && this.#open(), Math.min(2 ** this.#failures * 100, this.#maxBackoff))
    if (refused) this.emit('closed', [event])
  }

  // A frame the server should never send (or a message y-protocols cannot read): drop the socket and reconnect.
  #receive (frame: Uint8Array): void {
    try {
      const decoded = decodeFrame(frame)
      if (decoded.kind === 'subscribed') return this.#subscribed(decoded.doc)
      if (decoded.kind === 'message') return this.#handle(decoded.doc, decoded.message)
      if (decoded.kind !== 'part') return
      const part = addPart(this.#parts, decoded)
      if (!this.#awaiting.has(part.doc)) this.emit('progress', [{ doc: docOf(part.doc), received: part.received, count: part.count }])
      if (part.message !== null) this.#handle(part.doc, part.message)
    } catch (e) {
      this.emit('connection-error', [e instanceof MuxError ? e : new MuxError(4400, `unreadable message from the server: ${(e as Error).message}`)])
      this.ws?.close()
    }
  }

  #handle (index: number, message: Uint8Array): void {
    const held = this.#docs.get(index)
    // Sent before the server saw our unsubscribe, or for an earlier subscription of the document
    // (an answer computed against another doc's state must not mark this one synced).
    if (held === undefined || this.#awaiting.has(index)) return
    const d = decoding.createDecoder(message)
    const type = decoding.readVarUint(d)
    if (type === Message.SYNC) {
      const reply = encoding.createEncoder()
      encoding.writeVarUint(reply, Message.SYNC)
      const kind = syncProtocol.readSyncMessage(d, reply, held.doc, this)
      if (encoding.length(reply) > 1) this.#send(index, encoding.toUint8Array(reply))
      if (kind === syncProtocol.messageYjsSyncStep2 && !held.synced) {
        held.synced = true
        this.emit('doc-sync', [docOf(index), true])
        this.#resync()
      }
    } else if (type === Message.AWARENESS && index === ROOT_DOC) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(d), this)
    } else if (type === Message.AUTH) {
      decoding.readVarUint(d)
      this.emit('permission-denied', [docOf(index), decoding.readVarString(d)])
    }
  }

  // The socket counts as synced once every document on it has; a reconnect that syncs resets the backoff.
  #resync (): void {
    const synced = this.wsconnected && [...this.#docs.values()].every((h) => h.synced)
    if (synced === this.#synced) return
    this.#synced = synced
    if (synced) this.#failures = 0
    this.emit('sync', [synced])
  }
}
