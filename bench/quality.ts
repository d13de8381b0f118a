import * as D from '../src/domain/index.ts'
import { type Detection, detectionsOf, evaluate, truthOf } from '../src/quality/index.ts'
import { buildReference, prng } from './reference.ts'
import { medianTime, time } from './stats.ts'


/** A model run of about one prediction per label: jittered boxes, 5% wrong class, 10% missed, 10% spurious. */
const syntheticRun = (project: D.ProjectJson, seed = 11): object[] => {
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
    if (rand() < 0.3) rows.push({ image_id: item.id, category_id: classes[0], bbox: [rand() * 500, rand() * 400, 40, 30], score: rand() * 0.6 })
  }
  return rows
}

/**
 * Metrics for one run on the reference project (latest version): reading the ground truth,
 * parsing the run's COCO results file, and matching + every metric, as medians in ms.
 */
export const benchMetrics = (opts: { items: number; runs?: number }): Record<string, number | string> => {
  const runs = opts.runs ?? 5
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
  // What the UI's chunked read does, item by item, without its pauses between chunks.
  const byItem = (): number => D.listItems(view).reduce((n, i) => n + (D.readItem(view, i.id)?.labels.length ?? 0), 0)
  return {
    predictions: detections.length,
    labels: truth.boxes.length,
    'run file (MB)': text.length / 1e6,
    'read version labels, all at once (ms)': time(() => truthOf(D.readProject(view))),
    'read version labels, item by item as the UI does (ms, CPU)': time(byItem),
    'parse run file (ms)': parse,
    'match + all metrics, one run (ms)': metrics,
    'AP50 / AP (sanity)': `${report.overall.ap50?.toFixed(3)} / ${report.overall.ap?.toFixed(3)}`,
  }
}
