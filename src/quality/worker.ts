/// <reference lib="webworker" />
import { type GroundTruth, type QualityOptions, type QualityReport, detectionsOf, evaluate } from './index.ts'

/** What the page sends: one version's labels, one run's predictions file, the thresholds. */
export interface QualityRequest {
  truth: GroundTruth
  predictions: Blob
  options: QualityOptions
}

/** What the worker answers: progress while it works, then the report or what went wrong. */
export type QualityMessage =
  | { kind: 'progress'; stage: string; done: number; total: number }
  | { kind: 'done'; report: QualityReport; skipped: number }
  | { kind: 'error'; message: string }

const post = (message: QualityMessage): void => (self as unknown as DedicatedWorkerGlobalScope).postMessage(message)

// The browser's entry for metrics: parsing a big results file and matching run here, off the main thread.
self.onmessage = async (event: MessageEvent<QualityRequest>): Promise<void> => {
  const { truth, predictions, options } = event.data
  try {
    post({ kind: 'progress', stage: 'Reading predictions', done: 0, total: 1 })
    let json: unknown
    try {
      json = JSON.parse(await predictions.text())
    } catch {
      throw new Error('The run’s predictions file is not valid JSON')
    }
    if (!Array.isArray(json)) throw new Error('The run’s predictions file is not a COCO results array')
    const { detections, skipped } = detectionsOf(json)
    const report = evaluate(truth, detections, options, (done, total) => post({ kind: 'progress', stage: 'Matching classes', done, total }))
    post({ kind: 'done', report, skipped })
  } catch (error) {
    post({ kind: 'error', message: error instanceof Error ? error.message : String(error) })
  }
}
