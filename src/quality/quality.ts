import type { EvalOptions } from './cocoParams.ts'
import { type CocoEvaluation, type EvalDetection, type EvalTruth, cocoEvaluate } from './cocoeval.ts'
import { type CocoStats, summarize } from './cocoStats.ts'
import type { Detection, TruthBox } from './match.ts'
import { type ConfusionMatrix, type Outcomes, outcomesAt } from './outcomes.ts'

/** What a metrics table is computed at: the IoU and lowest score of its counts, and any deliberate departure from COCOeval. */
export interface QualityOptions extends EvalOptions {
  iou: number
  score: number
}

/**
 * The ground truth of one version: its items in COCO image order (ties between images go by
 * it), its classes in category order, and their labels. Predictions on other items are ignored.
 */
export interface GroundTruth {
  items: Iterable<string>
  /** When absent, the classes of the boxes, first seen first. */
  classes?: readonly string[]
  boxes: TruthBox[]
}

/**
 * The metrics of one class (or of all classes, `classId` = `''`): COCOeval's twelve numbers,
 * and counts at the chosen IoU and score. The counts use COCOeval's matching (area "all", at
 * most maxDets detections per image and class): TP = predictions with score ≥ the threshold
 * matched to a truth box that is not a crowd region; FP = such predictions matched to
 * nothing (a match to a crowd region is neither); FN = non-crowd truth boxes none of them
 * matched. Precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2TP / (2TP + FP + FN).
 */
export interface ClassQuality extends CocoStats {
  classId: string
  truths: number
  predictions: number
  tp: number
  fp: number
  fn: number
  /** null where undefined: precision without predictions, recall without ground truth. */
  precision: number | null
  recall: number | null
  f1: number | null
  /** Interpolated precision at the recall points, at the chosen IoU; null without ground truth. */
  curve: number[] | null
}

export interface QualityReport {
  options: QualityOptions
  /** Classes that have ground truth or predictions, in category order. */
  classes: ClassQuality[]
  /** COCOeval's overall numbers; counts and P/R/F1 summed over classes; the curve averaged over classes with ground truth. */
  overall: ClassQuality
  /** Predictions on items the version does not have. */
  ignored: number
  /** Truth classes × predicted classes (plus background) at the chosen IoU and score. */
  matrix: ConfusionMatrix
}

/** A report with what it was computed from, so its counts can be traced to boxes and items. */
export interface Evaluation {
  report: QualityReport
  outcomes: Outcomes
  truths: EvalTruth[]
  detections: EvalDetection[]
  /** The items in COCO order. */
  items: string[]
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null)

const rates = (tp: number, fp: number, fn: number): Pick<ClassQuality, 'precision' | 'recall' | 'f1'> => ({
  precision: ratio(tp, tp + fp),
  recall: ratio(tp, tp + fn),
  f1: ratio(2 * tp, 2 * tp + fp + fn),
})

/** TP / FP / FN of class `k` at threshold index `t` and score ≥ `score` (area 'all'). */
const countsOf = (e: CocoEvaluation, k: number, t: number, score: number): { tp: number, fp: number, fn: number } => {
  let tp = 0
  let fp = 0
  let truths = 0
  const c = e.images.get(e.classes[k] as string)
  if (c === undefined) return { tp, fp, fn: 0 }
  // Area 'all' is the first of the [a][t][j] rows.
  const base = t * c.score.length
  for (const image of c.images) {
    truths += image.counted[0] as number
    for (let j = image.start; j < image.start + image.count && (c.score[j] as number) >= score; j++) {
      if (c.ignored[base + j]) continue
      if (c.matched[base + j]) tp++
      else fp++
    }
  }
  return { tp, fp, fn: truths - tp }
}

/** The precision curve of class `k` at threshold `t` (area 'all', the last maxDets), or null where COCOeval has none. */
const curveOf = (e: CocoEvaluation, k: number, t: number): number[] | null => {
  const [R, K, A, M] = [e.recallPoints.length, e.classes.length, 4, e.maxDets.length]
  const curve = e.recallPoints.map((_, r) => e.precision[(((t * R + r) * K + k) * A + 0) * M + (M - 1)] as number)
  return curve.every((p) => p === -1) ? null : curve
}

/**
 * Every metric of one run against one version's labels, per class and overall, computed as
 * pycocotools' COCOeval computes them unless `options` asks for a named departure.
 */
export const evaluate = (truth: GroundTruth, predictions: Detection[], options: QualityOptions, onProgress?: (done: number, total: number) => void): QualityReport =>
  evaluateFully(truth, predictions, options, onProgress).report

/** `evaluate`, keeping every box's outcome for drill-down (the worker holds it while the view asks). */
export const evaluateFully = (truth: GroundTruth, predictions: Detection[], options: QualityOptions, onProgress?: (done: number, total: number) => void): Evaluation => {
  const items = [...truth.items]
  const known = new Set(items)
  const kept = predictions.filter((p) => known.has(p.itemId))
  const classes = truth.classes ?? [...new Set([...truth.boxes, ...kept].map((b) => b.classId))]
  const truths: EvalTruth[] = truth.boxes.map((b) => ({ itemId: b.itemId, classId: b.classId, bbox: b.bbox, area: b.area ?? b.bbox[2] * b.bbox[3], crowd: b.crowd === true }))
  // The detections themselves, not copies: a million objects fewer for the collector.
  const detections: EvalDetection[] = kept
  const e = cocoEvaluate(items, classes, truths, detections, options, [options.iou])
  const t = e.thresholds.indexOf(options.iou)
  const count = (list: readonly { classId: string }[]): Map<string, number> => {
    const n = new Map<string, number>()
    for (const b of list) n.set(b.classId, (n.get(b.classId) ?? 0) + 1)
    return n
  }
  const [truthCount, predictionCount] = [count(truth.boxes.filter((b) => known.has(b.itemId))), count(kept)]
  const rows: ClassQuality[] = []
  classes.forEach((classId, k) => {
    onProgress?.(k + 1, classes.length)
    const [truthsOf, predictionsOf] = [truthCount.get(classId) ?? 0, predictionCount.get(classId) ?? 0]
    if (truthsOf === 0 && predictionsOf === 0) return
    const counts = countsOf(e, k, t, options.score)
    rows.push({ classId, truths: truthsOf, predictions: predictionsOf, ...summarize(e, k), ...counts, ...rates(counts.tp, counts.fp, counts.fn), curve: curveOf(e, classes.indexOf(classId), t) })
  })
  const outcomes = outcomesAt(e, truths, detections, t, options.score)
  const report = { options, classes: rows, overall: overallOf(rows, summarize(e)), ignored: predictions.length - kept.length, matrix: outcomes.matrix }
  return { report, outcomes, truths, detections, items }
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null)

/** The overall row: COCOeval's overall numbers, counts summed, the curve averaged over classes with one. */
const overallOf = (classes: ClassQuality[], stats: CocoStats): ClassQuality => {
  const sum = (f: (c: ClassQuality) => number): number => classes.reduce((s, c) => s + f(c), 0)
  const [tp, fp, fn] = [sum((c) => c.tp), sum((c) => c.fp), sum((c) => c.fn)]
  const curves = classes.flatMap((c) => (c.curve ? [c.curve] : []))
  return {
    classId: '', truths: sum((c) => c.truths), predictions: sum((c) => c.predictions), ...stats, tp, fp, fn, ...rates(tp, fp, fn),
    curve: curves.length ? (curves[0] as number[]).map((_, i) => mean(curves.map((c) => c[i] as number)) ?? 0) : null,
  }
}
