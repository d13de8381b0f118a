import type { CocoDataset, PredictionTarget, PredictionsReport, Result } from '../io/index.ts'

/** A file read by the worker: an image's hash and size, a checked COCO file, or plain JSON. */
export type FileRead =
  | { kind: 'image'; sha256: string; mime: string; width: number; height: number }
  | { kind: 'coco'; coco: CocoDataset }
  | { kind: 'run'; bytes: ArrayBuffer; sha256: string; count: number; report: PredictionsReport }
export type FileAnswer = Result<FileRead>
type Job = { kind: 'image' | 'coco'; file: File } | { kind: 'run'; file: File; reference: File | null; target: PredictionTarget }
export type FileJob = Job & { id: number }

const POOL = Math.max(1, Math.min(4, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1))
let workers: Worker[] = []
let next = 0
let turn = 0
const waiting = new Map<number, (answer: FileAnswer) => void>()

const pool = (): Worker[] => {
  if (workers.length) return workers
  workers = Array.from({ length: POOL }, () => {
    const worker = new Worker(new URL('./fileWorker.ts', import.meta.url), { type: 'module' })
    worker.onmessage = (event: MessageEvent<{ id: number; answer: FileAnswer }>) => {
      waiting.get(event.data.id)?.(event.data.answer)
      waiting.delete(event.data.id)
    }
    // A worker that cannot start (or crashes) fails what it was asked, rather than leave it waiting.
    worker.onerror = (event) => {
      for (const resolve of waiting.values()) resolve({ ok: false, error: `Files cannot be read here: ${event.message || 'the file reader stopped'}` })
      waiting.clear()
    }
    return worker
  })
  return workers
}

const post = (job: Job): Promise<FileAnswer> =>
  new Promise((resolve) => {
    const id = next++
    waiting.set(id, resolve)
    const all = pool()
    all[turn++ % all.length]?.postMessage({ ...job, id })
  })

/** Reads a file in a worker (hashing, image size, JSON parsing and COCO checks never block the page). */
export const readFile = (kind: 'image' | 'coco', file: File): Promise<FileAnswer> => post({ kind, file })

/**
 * Turns a COCO results file into a run's blob in a worker: parse, match ids to `target`
 * (through `reference` when given), serialise and hash. Answers the bytes to store.
 */
export const readRun = (file: File, reference: File | null, target: PredictionTarget): Promise<FileAnswer> => post({ kind: 'run', file, reference, target })
