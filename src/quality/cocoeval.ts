import type { BBox } from '../domain/index.ts'
import { AREA_RANGES, type EvalOptions, IOU_THRESHOLDS, MAX_DETS, RECALL_POINTS, SPACING_1, VOC_RECALL_POINTS } from './cocoParams.ts'
import { evaluateClass, groupBy } from './cocoMatch.ts'

export { cocoIou } from './cocoMatch.ts'

/** A ground-truth box as COCOeval sees it (`itemId` is COCO's image): its area is the annotation's, crowd boxes are ignored. */
export interface EvalTruth { itemId: string, classId: string, bbox: BBox, area: number, crowd: boolean }

/** A detection (`itemId` is COCO's image; a `Detection` is one): its area is w × h, as COCOeval's loadRes sets it. */
export interface EvalDetection { itemId: string, classId: string, bbox: BBox, score: number }

/**
 * COCOeval's accumulated arrays: precision[t][r][k][a][m] and recall[t][k][a][m] flattened in
 * that order, -1 where COCOeval leaves them undefined (no ground truth to count). Only what its
 * summary reads is filled: precision at the last maxDets, recall at the others for area "all".
 */
export interface CocoEvaluation {
  classes: readonly string[]
  thresholds: readonly number[]
  recallPoints: readonly number[]
  maxDets: readonly number[]
  precision: Float64Array
  recall: Float64Array
  /** Per class, how every image matched at every threshold, for counts and drill-down. */
  images: Map<string, ClassEval>
}

/**
 * One class's matching (COCOeval's evaluateImg for each image), in flat arrays: slot j is a
 * detection (each image's best first, at most maxDets[2], images in order), slot g a truth.
 */
export interface ClassEval {
  images: ImageEval[]
  /** Detection slots: the caller's index, score, and rank within its image. */
  detection: Int32Array
  score: Float64Array
  rank: Int32Array
  /** [a][t][j]: 1 where the detection matched a truth (crowd included). */
  matched: Uint8Array
  /** [a][t][j]: 1 where it does not count (matched to an ignored truth, or outside the area range). */
  ignored: Uint8Array
  /** Truth slots: the caller's index; [t][g] the caller's index of the detection that matched it at area 'all', or -1. */
  truth: Int32Array
  truthMatch: Int32Array
}

/** Where one image's boxes of one class sit in its ClassEval. */
export interface ImageEval {
  imageId: string
  /** First detection slot and how many. */
  start: number
  count: number
  truthStart: number
  truthCount: number
  /** [a]: truths that count (not crowd, in the area range). */
  counted: number[]
}

/** Runs COCOeval (evaluate + accumulate) over images in COCO order and classes in category order. */
export const cocoEvaluate = (
  images: readonly string[], classes: readonly string[], truths: readonly EvalTruth[], detections: readonly EvalDetection[],
  options: EvalOptions = {}, extraThresholds: readonly number[] = [],
): CocoEvaluation => {
  const thresholds = [...IOU_THRESHOLDS, ...extraThresholds.filter((t) => !IOU_THRESHOLDS.includes(t))]
  const recallPoints = options.interpolation === 'voc11' ? VOC_RECALL_POINTS : RECALL_POINTS
  const maxDets = options.maxDets ?? MAX_DETS
  const [T, R, K, A, M] = [thresholds.length, recallPoints.length, classes.length, AREA_RANGES.length, maxDets.length]
  const precision = new Float64Array(T * R * K * A * M).fill(-1)
  const recall = new Float64Array(T * K * A * M).fill(-1)
  const groups = groupBy(images, classes, truths, detections)
  const evals = new Map<string, ClassEval>()
  const p = { iou: thresholds, slack: options.iouSlack ?? 0, maxDet: maxDets[M - 1] as number }
  classes.forEach((classId, k) => {
    const c = evaluateClass(images, k, groups, truths, detections, p)
    evals.set(classId, c)
    accumulate(c, maxDets, T, recallPoints, (m, a, t, q, rc) => {
      recall[((t * K + k) * A + a) * M + m] = rc
      q?.forEach((v, r) => (precision[(((t * R + r) * K + k) * A + a) * M + m] = v))
    })
  })
  return { classes, thresholds, recallPoints, maxDets, precision, recall, images: evals }
}

/**
 * COCOeval's accumulate for one class: per maxDets, area range and threshold, the precision
 * curve and final recall. The class's detection slots are sorted by score once, stably (images
 * in order, each best first, as COCOeval concatenates them); a smaller maxDets keeps, in that
 * order, those ranked within it in their image: the same as COCOeval's sort of that subset.
 */
const accumulate = (
  c: ClassEval, maxDets: readonly number[], T: number, recallPoints: readonly number[],
  store: (m: number, a: number, t: number, q: Float64Array | null, recall: number) => void,
): void => {
  if (c.images.length === 0) return
  const A = AREA_RANGES.length
  const n = c.score.length
  const sorted = Array.from(byScoreStable(c.score))
  const counted = Array.from({ length: A }, (_, a) => c.images.reduce((sum, e) => sum + (e.counted[a] as number), 0))
  const last = maxDets.length - 1
  maxDets.forEach((maxDet, m) => {
    const kept = Int32Array.from(sorted.filter((k) => (c.rank[k] as number) < maxDet))
    const size = kept.length
    const pr = new Float64Array(size)
    const rc = new Float64Array(size)
    // COCOeval's summary reads precision only at the last maxDets, and recall at the others only
    // for area "all": the rest of its array is not computed here (it stays -1).
    for (let a = 0; a < (m === last ? A : 1); a++) {
      const truths = counted[a] as number
      if (truths === 0) continue
      for (let t = 0; t < T; t++) {
        const base = (a * T + t) * n
        if (m !== last) {
          store(m, a, t, null, size > 0 ? hits(c, kept, base) / truths : 0)
          continue
        }
        let tp = 0
        let fp = 0
        for (let i = 0; i < size; i++) {
          const j = base + (kept[i] as number)
          if (!c.ignored[j]) {
            if (c.matched[j]) tp++
            else fp++
          }
          rc[i] = tp / truths
          pr[i] = tp / (fp + tp + SPACING_1)
        }
        store(m, a, t, curveOf(pr, rc, size, recallPoints), size > 0 ? (rc[size - 1] as number) : 0)
      }
    }
  })
}

const hits = (c: ClassEval, kept: Int32Array, base: number): number => {
  let tp = 0
  for (let i = 0; i < kept.length; i++) {
    const j = base + (kept[i] as number)
    if (!c.ignored[j] && c.matched[j]) tp++
  }
  return tp
}

/**
 * Slot indices by score, highest first, equal scores in slot order: what a stable sort gives,
 * without a comparator (a million calls into one is most of the time otherwise). The distinct
 * scores are sorted natively, then every slot is placed in its score's bucket in slot order.
 */
const byScoreStable = (score: Float64Array): Int32Array => {
  const n = score.length
  const keys = Float64Array.from(score).sort()
  let u = 0
  for (let i = 0; i < n; i++) if (i === 0 || keys[i] !== keys[i - 1]) keys[u++] = keys[i] as number
  const start = new Int32Array(u + 1)
  const bucket = new Int32Array(n)
  for (let j = 0; j < n; j++) {
    let [lo, hi] = [0, u - 1]
    const v = score[j] as number
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((keys[mid] as number) < v) lo = mid + 1
      else hi = mid
    }
    const b = u - 1 - lo
    bucket[j] = b
    start[b + 1] = (start[b + 1] as number) + 1
  }
  for (let b = 0; b < u; b++) start[b + 1] = (start[b + 1] as number) + (start[b] as number)
  const order = new Int32Array(n)
  for (let j = 0; j < n; j++) {
    const b = bucket[j] as number
    order[start[b] as number] = j
    start[b] = (start[b] as number) + 1
  }
  return order
}

// Precision made monotone from the end, read at each recall point by numpy's searchsorted(rc, point, 'left').
const curveOf = (pr: Float64Array, rc: Float64Array, n: number, recallPoints: readonly number[]): Float64Array => {
  for (let i = n - 1; i > 0; i--) if ((pr[i] as number) > (pr[i - 1] as number)) pr[i - 1] = pr[i] as number
  const q = new Float64Array(recallPoints.length)
  let i = 0
  for (let r = 0; r < recallPoints.length; r++) {
    while (i < n && (rc[i] as number) < (recallPoints[r] as number)) i++
    if (i >= n) break
    q[r] = pr[i] as number
  }
  return q
}
