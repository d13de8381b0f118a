import type * as Y from 'yjs'
import type { RunRecord } from '../domain/index.ts'
import { type QualityOptions, type QualityReport, collectTruth } from '../quality/index.ts'
import type { QualityMessage, QualityRequest } from '../quality/worker.ts'
import type { BlobStore } from '../sync/blobs.ts'

export interface Progress {
  stage: string
  done: number
  total: number
}

/**
 * Every metric of one run against the labels of one document (latest or an opened version):
 * labels are read in chunks on the page, the predictions file is parsed and matched in a
 * worker, so a big project never freezes the page. Aborting ends the worker.
 */
export const runQuality = async (
  doc: Y.Doc,
  run: RunRecord,
  blobs: BlobStore,
  options: QualityOptions,
  onProgress: (p: Progress) => void,
  signal: AbortSignal,
): Promise<{ report: QualityReport; skipped: number }> => {
  const truth = await collectTruth(doc, (done, total) => {
    if (!signal.aborted) onProgress({ stage: 'Reading labels', done, total })
  })
  if (signal.aborted) throw new DOMException('Cancelled', 'AbortError')
  onProgress({ stage: 'Fetching predictions', done: 0, total: 1 })
  const predictions = await blobs.get(run.blob)
  if (!predictions) throw new Error(`The predictions of run "${run.name}" are not on this device or the server yet; connect once to fetch them`)
  const worker = new Worker(new URL('../quality/worker.ts', import.meta.url), { type: 'module' })
  try {
    return await new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new DOMException('Cancelled', 'AbortError')))
      worker.onerror = (e) => reject(new Error(e.message || 'The metrics worker failed'))
      worker.onmessage = (event: MessageEvent<QualityMessage>) => {
        const m = event.data
        if (m.kind === 'progress') onProgress(m)
        else if (m.kind === 'done') resolve(m)
        else reject(new Error(m.message))
      }
      worker.postMessage({ truth, predictions, options } satisfies QualityRequest)
    })
  } finally {
    worker.terminate()
  }
}
