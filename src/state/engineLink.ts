import type { Actor } from '../domain/index.ts'
import { type Answer, type Args, ENGINE_MISMATCH, ENGINE_PROTOCOL, type FromEngine, type Method, type ToEngine, type TopicName, type Topics } from '../engine/protocol.ts'

/** A line to the engine: where messages go and where they come from. */
export interface EnginePort {
  postMessage(message: ToEngine): void
  onmessage: ((event: MessageEvent<FromEngine>) => void) | null
  close(): void
}

/** The engine worker: shared by the tabs of this browser where SharedWorker exists, this tab's own otherwise. */
export const startEngine = (): EnginePort => {
  if (typeof SharedWorker === 'function') {
    const worker = new SharedWorker(new URL('../engine/worker.ts', import.meta.url), { type: 'module', name: 'strata-engine' })
    worker.port.start()
    return { postMessage: (m) => worker.port.postMessage(m), set onmessage(fn) { worker.port.onmessage = fn }, get onmessage() { return worker.port.onmessage }, close: () => worker.port.close() } as EnginePort
  }
  dedicated ??= new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module', name: 'strata-engine' })
  const channel = new MessageChannel()
  dedicated.postMessage({ t: 'connect' }, [channel.port2])
  const port = channel.port1
  port.start()
  return { postMessage: (m) => port.postMessage(m), set onmessage(fn) { port.onmessage = fn }, get onmessage() { return port.onmessage }, close: () => port.close() } as EnginePort
}

/** Where SharedWorker is missing, this tab's one engine worker, for every project it opens. */
let dedicated: Worker | null = null

/** An error the engine answered, with its domain name kept (`ReadOnlyError`, `NoChangesError`…). */
export class EngineError extends Error {
  constructor(name: string, message: string) {
    super(message)
    this.name = name
  }
}

type Waiting = { resolve: (value: unknown) => void; reject: (error: Error) => void; progress?: (text: string) => void }

/**
 * The tab's side of the engine protocol: typed calls that answer promises, topics that call
 * back on every new value, marks recorded on this tab's timeline. `left` is called when the
 * engine went back to Latest because the shown version is gone.
 */
export class EngineLink {
  #next = 0
  #waiting = new Map<number, Waiting>()
  #topics = new Map<string, (value: unknown) => void>()
  #mismatch: string | null = null

  constructor(
    readonly port: EnginePort,
    hello: { projectId: string; token: string; actor: Actor; online: boolean; lock: string | null },
    readonly onLeft: () => void,
    readonly onMismatch: (message: string) => void,
  ) {
    port.onmessage = (event) => this.#receive(event.data)
    this.#send({ t: 'hello', ...hello })
  }

  call<M extends Method>(method: M, ...args: Args<M>): Promise<Awaited<Answer<M>>> {
    return this.callWithProgress(method, undefined, ...args)
  }

  callWithProgress<M extends Method>(method: M, progress: ((text: string) => void) | undefined, ...args: Args<M>): Promise<Awaited<Answer<M>>> {
    if (this.#mismatch) return Promise.reject(new EngineError('MismatchError', this.#mismatch))
    const id = ++this.#next
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, ...(progress ? { progress } : {}) })
      this.#send({ t: 'call', id, method, args })
    })
  }

  /** Watches a topic; `onValue` gets every new value. Answers the unwatch. */
  watch<T extends TopicName>(topic: T, spec: Topics[T]['spec'], onValue: (value: Topics[T]['value']) => void): () => void {
    const key = `${topic}:${++this.#next}`
    this.#topics.set(key, onValue as (value: unknown) => void)
    this.#send({ t: 'watch', key, topic, spec })
    return () => {
      this.#topics.delete(key)
      this.#send({ t: 'unwatch', key })
    }
  }

  close(): void {
    this.#send({ t: 'bye' })
    this.port.close()
    for (const w of this.#waiting.values()) w.reject(new EngineError('AbortError', 'The project was closed'))
    this.#waiting.clear()
    this.#topics.clear()
  }

  #send(message: ToEngine extends infer M ? (M extends ToEngine ? Omit<M, 'v'> : never) : never): void {
    this.port.postMessage({ v: ENGINE_PROTOCOL, ...message } as ToEngine)
  }

  /** Compacts a stored log in a worker of this tab's, for the engine (which must not block on it, and may not start workers). */
  #compact(id: number, name: string): void {
    const reply = (ok: boolean, error: string | null): void => this.#send({ t: 'compacted', id, ok, error })
    if (typeof Worker !== 'function') return reply(false, 'This tab cannot start workers')
    const worker = new Worker(new URL('../engine/compactWorker.ts', import.meta.url), { type: 'module', name: 'strata-compaction' })
    worker.onmessage = (event: MessageEvent<{ ok: boolean; error?: string }>) => {
      worker.terminate()
      reply(event.data.ok, event.data.error ?? null)
    }
    worker.onerror = (event) => {
      worker.terminate()
      reply(false, event.message || 'The compaction worker failed')
    }
    worker.postMessage({ name })
  }

  #receive(m: FromEngine): void {
    if (m?.v !== ENGINE_PROTOCOL || m.t === 'mismatch') {
      this.#mismatch = m?.t === 'mismatch' ? m.message : ENGINE_MISMATCH
      for (const w of this.#waiting.values()) w.reject(new EngineError('MismatchError', this.#mismatch))
      this.#waiting.clear()
      return this.onMismatch(this.#mismatch)
    }
    if (m.t === 'topic') return this.#topics.get(m.key)?.(m.value)
    if (m.t === 'mark') return void performance.mark(m.name)
    if (m.t === 'left') return this.onLeft()
    if (m.t === 'compact') return this.#compact(m.id, m.name)
    const waiting = this.#waiting.get(m.id)
    if (!waiting) return
    if (m.t === 'progress') return waiting.progress?.(m.text)
    this.#waiting.delete(m.id)
    if (m.ok) waiting.resolve(m.value)
    else waiting.reject(new EngineError(m.error.name, m.error.message))
  }
}
