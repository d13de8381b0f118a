import { type BoxOutcome, type BoxSelection, type ItemErrors, boxOutcomes, itemErrors, itemsSelected } from '../quality/drill.ts'
import { type Evaluation, type GroundTruth, type QualityOptions, type QualityReport, evaluateFully } from '../quality/quality.ts'
import { detectionsOf } from '../quality/truth.ts'

/**
 * The metrics worker's messages. Every message carries the protocol version, so a tab and a
 * worker from different builds (a cached tab, a new worker script) say so instead of misreading
 * each other. Bump it whenever a message changes shape.
 */
export const QUALITY_PROTOCOL = 2

/** What the page asks; `id` pairs each answer with its question. */
export type QualityRequest = { v: number; id: number } & (
  | { kind: 'evaluate'; truth: GroundTruth; predictions: Blob; options: QualityOptions }
  /** The items behind a count or a matrix cell of the last evaluation. */
  | { kind: 'items'; selection: BoxSelection }
  /** One item's boxes with their outcomes. */
  | { kind: 'boxes'; itemId: string }
  /** Every item's FP and FN counts, to compare two evaluations. */
  | { kind: 'errors' }
)

/** What the worker answers: progress while evaluating, then the answer or what went wrong. */
export type QualityReply = { v: number; id: number } & (
  | { kind: 'progress'; stage: string; done: number; total: number }
  | { kind: 'done'; report: QualityReport; skipped: number }
  | { kind: 'items'; items: string[] }
  | { kind: 'boxes'; boxes: BoxOutcome[] }
  | { kind: 'errors'; errors: ItemErrors[] }
  | { kind: 'error'; message: string }
)

/** The message a tab shows when it and the worker are different builds. */
export const MISMATCH = 'This tab and the metrics worker are different versions of Strata; reload the page to measure again'

const readPredictions = async (predictions: Blob): Promise<ReturnType<typeof detectionsOf>> => {
  let json: unknown
  try {
    json = JSON.parse(await predictions.text())
  } catch {
    throw new Error('The run’s predictions file is not valid JSON')
  }
  if (!Array.isArray(json)) throw new Error('The run’s predictions file is not a COCO results array')
  return detectionsOf(json)
}

/**
 * The worker's side: evaluates, then keeps the evaluation and answers questions about it
 * until the page terminates the worker. `post` sends one reply; runs in Node tests too.
 */
export const qualityHost = (post: (reply: QualityReply) => void): ((request: unknown) => Promise<void>) => {
  let evaluation: Evaluation | null = null
  return async (request) => {
    const r = request as Partial<QualityRequest> | null
    const id = typeof r?.id === 'number' ? r.id : -1
    const v = QUALITY_PROTOCOL
    if (r?.v !== QUALITY_PROTOCOL) return post({ v, id, kind: 'error', message: MISMATCH })
    try {
      const q = r as QualityRequest
      if (q.kind === 'evaluate') {
        evaluation = null
        post({ v, id, kind: 'progress', stage: 'Reading predictions', done: 0, total: 1 })
        const { detections, skipped } = await readPredictions(q.predictions)
        evaluation = evaluateFully(q.truth, detections, q.options, (done, total) => post({ v, id, kind: 'progress', stage: 'Matching classes', done, total }))
        return post({ v, id, kind: 'done', report: evaluation.report, skipped })
      }
      if (!evaluation) throw new Error('Nothing has been measured in this worker yet')
      if (q.kind === 'items') return post({ v, id, kind: 'items', items: itemsSelected(evaluation, q.selection) })
      if (q.kind === 'boxes') return post({ v, id, kind: 'boxes', boxes: boxOutcomes(evaluation, q.itemId) })
      if (q.kind === 'errors') return post({ v, id, kind: 'errors', errors: itemErrors(evaluation) })
      throw new Error(`Unknown request to the metrics worker: ${String((q as { kind?: unknown }).kind)}`)
    } catch (error) {
      post({ v, id, kind: 'error', message: error instanceof Error ? error.message : String(error) })
    }
  }
}
