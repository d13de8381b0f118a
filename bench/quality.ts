import { Worker } from 'node:worker_threads'
import * as D from '../src/domain/index.ts'
import { type Detection, type GroundTruth, type QualityOptions, type QualityReport, detectionsOf, evaluate, truthOf } from '../src/quality/index.ts'
import { buildReference, prng } from './reference.ts'
import { median, medianTime, time } from './stats.ts'

/**
 * A model run of about ten predictions per image, as a detector keeping low-score boxes gives:
 * each label jittered (5% wrong class, 10% missed), plus seven spurious low-score boxes.
 */
export const syntheticRun = (project: D.ProjectJson, seed = 11): object[] => {
  const rand = prng(seed)
  const classes = project.classes.map((c) => c.id)
  const rows: object[] = []
  const jitter = (v: number): number => Math.max(0, v + (rand() - 0.5) * 10)
  for (const item of project.items) {
    for (const l of item.labels) {
      if (rand() < 0.1) continue
      const classId = rand() < 0.05 ? classes[Math.floor(rand() * classes.length)] : l.classId
      rows.push({ image_id: item.id, category_id: classId, bbox: l.bbox.map(jitter), score: 0.3 + rand() * 0.7 })
    }
    for (let k = 0; k < 7; k++) {
      rows.push({ image_id: item.id, category_id: classes[Math.floor(rand() * classes.length)], bbox: [rand() * 500, rand() * 400, 10 + rand() * 60, 10 + rand() * 40], score: rand() * 0.6 })
    }
  }
  return rows
}

interface WorkerAnswer { report: QualityReport, parseMs: number, evaluateMs: number }

/**
 * The job as the app runs it: in a worker, while the main thread stays free. Answers the
 * worker's wall time and the longest the main thread waited for a timer meanwhile.
 */
const inWorker = async (truth: GroundTruth, text: string, options: QualityOptions): Promise<WorkerAnswer & { wallMs: number, longestMainMs: number }> => {
  const worker = new Worker(new URL('./qualityWorker.mjs', import.meta.url))
  let longest = 0
  let last = performance.now()
  const ticker = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last - 10)
    last = now
  }, 10)
  const start = performance.now()
  try {
    const answer = await new Promise<WorkerAnswer>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
      worker.postMessage({ truth, text, options })
    })
    return { ...answer, wallMs: performance.now() - start, longestMainMs: longest }
  } finally {
    clearInterval(ticker)
    await worker.terminate()
  }
}

/**
 * Metrics for one run on the reference project (latest version): reading the ground truth,
 * parsing the run's COCO results file, and COCOeval's matching + every metric, in the main
 * thread (the baseline) and in a worker as the app runs it, as medians in ms.
 */
export const benchMetrics = async (opts: { items: number; runs?: number }): Promise<Record<string, number | string>> => {
  const runs = opts.runs ?? 3
  const ref = buildReference(opts.items)
  const last = ref.versions[ref.versions.length - 1] as D.Version
  const view = D.openVersion(ref.doc, last.id)
  const project = D.readProject(view)
  const text = JSON.stringify(syntheticRun(project))
  const truth = truthOf(project)
  let detections: Detection[] = []
  const parse = medianTime(runs, () => (detections = detectionsOf(JSON.parse(text)).detections))
  const options = { iou: 0.5, score: 0.5 }
  let report = evaluate(truth, detections, options)
  const metrics = medianTime(runs, () => (report = evaluate(truth, detections, options)))
  const worker: Array<Awaited<ReturnType<typeof inWorker>>> = []
  for (let i = 0; i < runs; i++) worker.push(await inWorker(truth, text, options))
  // What the UI's chunked read does, item by item, without its pauses between chunks.
  const byItem = (): number => D.listItems(view).reduce((n, i) => n + (D.readItem(view, i.id)?.labels.length ?? 0), 0)
  const stat = (f: (w: (typeof worker)[number]) => number): number => median(worker.map(f))
  return {
    predictions: detections.length,
    labels: truth.boxes.length,
    'run file (MB)': text.length / 1e6,
    'read version labels, all at once (ms)': time(() => truthOf(D.readProject(view))),
    'read version labels, item by item as the UI does (ms, CPU)': time(byItem),
    'parse run file, main thread (ms)': parse,
    'COCOeval matching + every metric and outcome, main thread (ms)': metrics,
    'in a worker: parse + evaluate, wall (ms)': stat((w) => w.wallMs),
    'in a worker: parse / evaluate (ms)': `${stat((w) => w.parseMs).toFixed(0)} / ${stat((w) => w.evaluateMs).toFixed(0)}`,
    'main thread meanwhile: longest wait for a 10 ms timer (ms)': stat((w) => w.longestMainMs),
    'AP / AP50 / AR100 (sanity)': `${report.overall.ap?.toFixed(3)} / ${report.overall.ap50?.toFixed(3)} / ${report.overall.ar100?.toFixed(3)}`,
    'same in the worker': `${worker[0]?.report.overall.ap?.toFixed(3)} / ${worker[0]?.report.overall.ap50?.toFixed(3)} / ${worker[0]?.report.overall.ar100?.toFixed(3)}`,
  }
}
