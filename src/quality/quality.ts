import { type ClassCase, type Detection, type TruthBox, classCase, matchAt } from './match.ts'
import { IOU_THRESHOLDS, RECALL_POINTS, areaOf, hitsAbove, interpolatedCurve } from './precision.ts'

/** What a metrics table is computed at: the IoU a match needs and the lowest score counted. */
export interface QualityOptions {
  iou: number
  score: number
}

/** The ground truth of one version: the items it has (predictions elsewhere are ignored) and their labels. */
export interface GroundTruth {
  items: Iterable<string>
  boxes: TruthBox[]
}

/** The metrics of one class (or of all classes, `classId` = `''`). */
export interface ClassQuality {
  classId: string
  truths: number
  predictions: number
  /** AP at IoU 0.5 and averaged over IoU 0.50:0.95; null without ground truth (COCO ignores the class). */
  ap50: number | null
  ap: number | null
  /** Counts at the chosen IoU and score threshold. */
  tp: number
  fp: number
  fn: number
  /** null where undefined: precision without predictions, recall without ground truth. */
  precision: number | null
  recall: number | null
  f1: number | null
  /** Interpolated precision at `RECALL_POINTS`, at the chosen IoU; null without ground truth. */
  curve: number[] | null
}

export interface QualityReport {
  options: QualityOptions
  /** Classes that have ground truth or predictions, in first-seen order. */
  classes: ClassQuality[]
  /** AP and curve: mean over classes with ground truth; counts and P/R/F1: summed over all classes. */
  overall: ClassQuality
  /** Predictions on items the version does not have. */
  ignored: number
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null)

const rates = (tp: number, fp: number, fn: number): Pick<ClassQuality, 'precision' | 'recall' | 'f1'> => ({
  precision: ratio(tp, tp + fp),
  recall: ratio(tp, tp + fn),
  f1: ratio(2 * tp, 2 * tp + fp + fn),
})

/** Metrics of one class from its matching problem. */
export const classQuality = (classId: string, c: ClassCase, options: QualityOptions): ClassQuality => {
  const thresholds = IOU_THRESHOLDS.includes(options.iou) ? IOU_THRESHOLDS : [...IOU_THRESHOLDS, options.iou]
  const hitsAt = new Map(thresholds.map((t) => [t, matchAt(c, t)]))
  const chosen = hitsAt.get(options.iou) as Uint8Array
  const { tp, kept } = hitsAbove(chosen, c.scores, options.score)
  const counts = { tp, fp: kept - tp, fn: c.truths - tp }
  const base = { classId, truths: c.truths, predictions: c.scores.length, ...counts, ...rates(counts.tp, counts.fp, counts.fn) }
  if (c.truths === 0) return { ...base, ap50: null, ap: null, curve: null }
  const apAt = (t: number): number => areaOf(interpolatedCurve(hitsAt.get(t) as Uint8Array, c.truths))
  return {
    ...base,
    ap50: apAt(0.5),
    ap: IOU_THRESHOLDS.reduce((s, t) => s + apAt(t), 0) / IOU_THRESHOLDS.length,
    curve: interpolatedCurve(chosen, c.truths),
  }
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null)

/** The overall row: AP and curve averaged over classes with ground truth, counts summed. */
export const overallOf = (classes: ClassQuality[]): ClassQuality => {
  const scored = classes.filter((c) => c.truths > 0)
  const sum = (f: (c: ClassQuality) => number): number => classes.reduce((s, c) => s + f(c), 0)
  const [tp, fp, fn] = [sum((c) => c.tp), sum((c) => c.fp), sum((c) => c.fn)]
  return {
    classId: '',
    truths: sum((c) => c.truths),
    predictions: sum((c) => c.predictions),
    ap50: mean(scored.map((c) => c.ap50 ?? 0)),
    ap: mean(scored.map((c) => c.ap ?? 0)),
    tp,
    fp,
    fn,
    ...rates(tp, fp, fn),
    curve: scored.length ? RECALL_POINTS.map((_, i) => mean(scored.map((c) => c.curve?.[i] ?? 0)) ?? 0) : null,
  }
}

type Groups = Map<string, { truths: TruthBox[]; predictions: Detection[] }>

const groupOf = (groups: Groups, classId: string): { truths: TruthBox[]; predictions: Detection[] } => {
  let group = groups.get(classId)
  if (!group) groups.set(classId, (group = { truths: [], predictions: [] }))
  return group
}

/**
 * Every metric of one run against one version's labels, per class and overall.
 * `onProgress(done, total)` is called after each class, for a progress bar.
 */
export const evaluate = (truth: GroundTruth, predictions: Detection[], options: QualityOptions, onProgress?: (done: number, total: number) => void): QualityReport => {
  const items = new Set(truth.items)
  const kept = predictions.filter((p) => items.has(p.itemId))
  const groups: Groups = new Map()
  for (const b of truth.boxes) if (items.has(b.itemId)) groupOf(groups, b.classId).truths.push(b)
  for (const p of kept) groupOf(groups, p.classId).predictions.push(p)
  const classes: ClassQuality[] = []
  for (const [classId, g] of groups) {
    classes.push(classQuality(classId, classCase(g.truths, g.predictions), options))
    onProgress?.(classes.length, groups.size)
  }
  return { options, classes, overall: overallOf(classes), ignored: predictions.length - kept.length }
}
