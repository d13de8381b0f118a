import { parentPort } from 'node:worker_threads'
import { type GroundTruth, type QualityOptions, detectionsOf, evaluateFully } from '../src/quality/index.ts'

/**
 * The bench's stand-in for the browser's metrics worker (src/engine/metricsWorker.ts): the same work
 * (parse the run's file, evaluate, keep the outcomes), in a Node worker thread.
 */
parentPort?.on('message', (job: { truth: GroundTruth, text: string, options: QualityOptions }) => {
  const start = performance.now()
  const { detections } = detectionsOf(JSON.parse(job.text))
  const parsed = performance.now()
  const { report } = evaluateFully(job.truth, detections, job.options)
  parentPort?.postMessage({ report, parseMs: parsed - start, evaluateMs: performance.now() - parsed })
})
