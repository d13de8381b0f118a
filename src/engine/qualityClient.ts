import type * as Y from 'yjs'
import type { RunRecord } from '../domain/index.ts'
import { type GroundTruth, type QualityOptions, type QualityReport, collectTruth } from '../quality/index.ts'
import type { BoxOutcome, BoxSelection, ItemErrors } from '../quality/drill.ts'
import { MISMATCH, QUALITY_PROTOCOL, type QualityReply, type QualityRequest, qualityHost } from './metricsProtocol.ts'
import type { FileStore } from './opened.ts'

export interface Progress {
  stage: string
  done: number
  total: number
}

/** A line to a metrics worker: send requests, get replies or a failure that ends it. */
export interface Channel { post: (request: QualityRequest) => void; close: () => void }
export type Connect = (onReply: (reply: unknown) => void, onFail: (message: string) => void) => Channel

/** A metrics worker of its own (`metricsWorker.ts`), where the engine can start one (a dedicated worker can). */
export const workerChannel: Connect = (onReply, onFail) => {
  const worker = new Worker(new URL('./metricsWorker.ts', import.meta.url), { type: 'module' })
  worker.onmessage = (event: MessageEvent<unknown>) => onReply(event.data)
  worker.onerror = (event) => onFail(event.message || 'The metrics worker failed')
  return { post: (request) => worker.postMessage(request), close: () => worker.terminate() }
}

/** The metrics host in the engine's own thread: a shared worker cannot start workers (Chromium). */
export const inEngineChannel: Connect = (onReply) => {
  let open = true
  const host = qualityHost((reply) => setTimeout(() => open && onReply(reply), 0))
  return { post: (request) => void host(structuredClone(request)), close: () => void (open = false) }
}

/** The best channel here: a worker of its own where one can be started. */
export const metricsChannel: Connect = (onReply, onFail) => (typeof Worker === 'function' ? workerChannel : inEngineChannel)(onReply, onFail)

type Kind = QualityReply['kind']
type Reply<K extends Kind> = Extract<QualityReply, { kind: K }>
type Question = QualityRequest extends infer Q ? (Q extends QualityRequest ? Omit<Q, 'v' | 'id'> : never) : never
interface Pending { expect: Kind; resolve: (reply: QualityReply) => void; reject: (error: Error) => void; onProgress?: (p: Progress) => void }

/**
 * One evaluation held by one worker: the page asks it for the report, then for the items
 * behind a count and the outcomes of an item's boxes. `close` terminates the worker.
 */
export class QualityClient {
  #channel: Channel
  #next = 1
  #pending = new Map<number, Pending>()
  #failed: Error | null = null

  constructor(connect: Connect = metricsChannel) {
    this.#channel = connect((reply) => this.#reply(reply), (message) => this.#fail(new Error(message)))
  }

  /** Parses the predictions and measures them against `truth`; the worker keeps the result. */
  evaluate(truth: GroundTruth, predictions: Blob, options: QualityOptions, onProgress?: (p: Progress) => void): Promise<{ report: QualityReport; skipped: number }> {
    return this.#ask({ kind: 'evaluate', truth, predictions, options }, 'done', onProgress)
  }

  /** The items (COCO order) behind a count or a matrix cell. */
  async items(selection: BoxSelection): Promise<string[]> {
    return (await this.#ask({ kind: 'items', selection }, 'items')).items
  }

  /** One item's boxes with their outcomes. */
  async boxes(itemId: string): Promise<BoxOutcome[]> {
    return (await this.#ask({ kind: 'boxes', itemId }, 'boxes')).boxes
  }

  /** Every item's FP and FN counts (items without either left out). */
  async errors(): Promise<ItemErrors[]> {
    return (await this.#ask({ kind: 'errors' }, 'errors')).errors
  }

  /** Ends the worker; questions still open are refused. */
  close(): void {
    this.#fail(new DOMException('Closed', 'AbortError'))
    this.#channel.close()
  }

  #ask<K extends Kind>(question: Question, expect: K, onProgress?: (p: Progress) => void): Promise<Reply<K>> {
    if (this.#failed) return Promise.reject(this.#failed)
    const id = this.#next++
    return new Promise<Reply<K>>((resolve, reject) => {
      this.#pending.set(id, { expect, resolve: resolve as (r: QualityReply) => void, reject, ...(onProgress ? { onProgress } : {}) })
      this.#channel.post({ ...question, v: QUALITY_PROTOCOL, id } as QualityRequest)
    })
  }

  #reply(data: unknown): void {
    const reply = data as Partial<QualityReply> | null
    if (reply?.v !== QUALITY_PROTOCOL) return this.#fail(new Error(MISMATCH))
    const pending = this.#pending.get(reply.id ?? -1)
    if (!pending) return
    const r = reply as QualityReply
    if (r.kind === 'progress') return pending.onProgress?.(r)
    this.#pending.delete(r.id)
    if (r.kind === 'error') pending.reject(new Error(r.message))
    else if (r.kind !== pending.expect) pending.reject(new Error(MISMATCH))
    else pending.resolve(r)
  }

  #fail(error: Error): void {
    this.#failed ??= error
    for (const p of this.#pending.values()) p.reject(error)
    this.#pending.clear()
  }
}

/**
 * Every metric of one run against the labels of one document (latest or an opened version):
 * labels are read in chunks on the page, the predictions file is parsed and matched in a
 * worker, so a big project never freezes the page. The worker stays for drill-down until the
 * caller closes the client; aborting closes it.
 */
export const runQuality = async (
  doc: Y.Doc, run: RunRecord, blobs: FileStore, options: QualityOptions,
  onProgress: (p: Progress) => void, signal: AbortSignal, connect: Connect = metricsChannel,
): Promise<{ client: QualityClient; report: QualityReport; skipped: number }> => {
  const truth = await collectTruth(doc, (done, total) => {
    if (!signal.aborted) onProgress({ stage: 'Reading labels', done, total })
  })
  if (signal.aborted) throw new DOMException('Cancelled', 'AbortError')
  onProgress({ stage: 'Fetching predictions', done: 0, total: 1 })
  const predictions = await blobs.get(run.blob)
  if (!predictions) throw new Error(`The predictions of run "${run.name}" are not on this device or the server yet; connect once to fetch them`)
  if (signal.aborted) throw new DOMException('Cancelled', 'AbortError')
  const client = new QualityClient(connect)
  const stop = (): void => client.close()
  signal.addEventListener('abort', stop)
  try {
    return { client, ...(await client.evaluate(truth, predictions, options, onProgress)) }
  } catch (error) {
    client.close()
    throw error
  } finally {
    signal.removeEventListener('abort', stop)
  }
}
