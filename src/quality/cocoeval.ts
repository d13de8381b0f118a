import type { BBox } from '../domain/index.ts'
import { AREA_RANGES, type EvalOptions, IOU_THRESHOLDS, MAX_DETS, RECALL_POINTS, SPACING_1, VOC_RECALL_POINTS } from './cocoParams.ts'

/** A ground-truth box as COCOeval sees it: its area is the annotation's, crowd boxes are ignored. */
export interface EvalTruth { imageId: string, classId: string, bbox: BBox, area: number, crowd: boolean }

/** A detection: its area is w × h, as COCOeval's loadRes sets it. */
export interface EvalDetection { imageId: string, classId: string, bbox: BBox, score: number }

/**
 * COCOeval's accumulated arrays: precision[t][r][k][a][m] and recall[t][k][a][m] flattened in
 * that order, -1 where COCOeval leaves them undefined (no ground truth to count).
 */
export interface CocoEvaluation {
  classes: readonly string[]
  thresholds: readonly number[]
  recallPoints: readonly number[]
  maxDets: readonly number[]
  precision: Float64Array
  recall: Float64Array
  /** Per class, the matching of every image at every threshold (area 'all'), for counts and drill-down. */
  images: Map<string, ImageEval[]>
}

/** One image's detections of one class, best first, and how they matched (COCOeval's evaluateImg). */
export interface ImageEval {
  imageId: string
  /** Indices into the caller's detections, best first, at most maxDets[2]. */
  detections: Int32Array
  scores: Float64Array
  /** [a][t][d]: 1 where the detection matched a ground truth (crowd included). */
  matched: Uint8Array
  /** [a][t][d]: 1 where the detection does not count (matched to an ignored truth, or outside the area range). */
  ignored: Uint8Array
  /** [a]: ground truths that count (not crowd, in the area range). */
  counted: Int32Array
  /** Indices into the caller's truths of this image and class, in input order. */
  truthIndex: Int32Array
  /** [t][g]: the caller's index of the detection that matched truth g at area 'all', or -1. */
  truths: Int32Array
  truthMatched: Uint8Array
}

const byScore = <T extends { score: number }>(list: readonly T[], index: readonly number[]): number[] =>
  // Array.prototype.sort is stable, as numpy's mergesort is: ties keep the input order.
  [...index].sort((a, b) => (list[b] as T).score - (list[a] as T).score)

/** Intersection over union as pycocotools' bbIou computes it; against a crowd box, over the detection's area. */
export const cocoIou = (d: BBox, g: BBox, crowd: boolean): number => {
  const w = Math.min(d[2] + d[0], g[2] + g[0]) - Math.max(d[0], g[0])
  if (w <= 0) return 0
  const h = Math.min(d[3] + d[1], g[3] + g[1]) - Math.max(d[1], g[1])
  if (h <= 0) return 0
  const i = w * h
  const da = d[2] * d[3]
  return i / (crowd ? da : da + g[2] * g[3] - i)
}

interface Thresholds { iou: readonly number[], slack: number, maxDet: number }

/** COCOeval's evaluateImg for one image and class, at every area range and IoU threshold. */
export const evaluateImage = (
  imageId: string, truths: readonly EvalTruth[], truthIndex: readonly number[],
  detections: readonly EvalDetection[], detectionIndex: readonly number[], p: Thresholds,
): ImageEval => {
  const dts = byScore(detections, detectionIndex).slice(0, p.maxDet)
  const D = dts.length
  const G = truthIndex.length
  const T = p.iou.length
  const A = AREA_RANGES.length
  const ious = new Float64Array(D * G)
  dts.forEach((d, di) => truthIndex.forEach((g, gi) => {
    const t = truths[g] as EvalTruth
    ious[di * G + gi] = cocoIou((detections[d] as EvalDetection).bbox, t.bbox, t.crowd)
  }))
  const matched = new Uint8Array(A * T * D)
  const ignored = new Uint8Array(A * T * D)
  const counted = new Int32Array(A)
  const truthOut = new Int32Array(T * G).fill(-1)
  const truthMatched = new Uint8Array(T * G)
  AREA_RANGES.forEach(([lo, hi], a) => {
    const ig = truthIndex.map((g) => { const t = truths[g] as EvalTruth; return t.crowd || t.area < lo || t.area > hi ? 1 : 0 })
    counted[a] = ig.filter((x) => x === 0).length
    // Ground truths that count first, each group in input order (numpy's stable argsort).
    const order = [...ig.keys()].sort((x, y) => (ig[x] as number) - (ig[y] as number))
    for (let t = 0; t < T; t++) {
      const taken = new Uint8Array(G)
      const base = (a * T + t) * D
      for (let d = 0; d < D; d++) {
        const m = bestTruth(ious, d, G, order, ig, taken, truths, truthIndex, Math.min(p.iou[t] as number, 1 - 1e-10) - p.slack)
        if (m >= 0) {
          taken[m] = 1
          matched[base + d] = 1
          ignored[base + d] = ig[m] as number
          if (a === 0) { truthOut[t * G + m] = dts[d] as number; truthMatched[t * G + m] = 1 }
        }
        const [w, h] = [(detections[dts[d] as number] as EvalDetection).bbox[2], (detections[dts[d] as number] as EvalDetection).bbox[3]]
        if (m < 0 && (w * h < lo || w * h > hi)) ignored[base + d] = 1
      }
    }
  })
  return {
    imageId, detections: Int32Array.from(dts), scores: Float64Array.from(dts, (d) => (detections[d] as EvalDetection).score),
    matched, ignored, counted, truthIndex: Int32Array.from(truthIndex), truths: truthOut, truthMatched,
  }
}

// COCOeval's inner loop: the last truth with the highest IoU ≥ the threshold; a crowd truth may
// be matched again; once matched to a counted truth, ignored truths (sorted last) are not tried.
const bestTruth = (
  ious: Float64Array, d: number, G: number, order: readonly number[], ig: readonly number[], taken: Uint8Array,
  truths: readonly EvalTruth[], truthIndex: readonly number[], threshold: number,
): number => {
  let best = threshold
  let m = -1
  for (const g of order) {
    if (taken[g] && !(truths[truthIndex[g] as number] as EvalTruth).crowd) continue
    if (m > -1 && ig[m] === 0 && ig[g] === 1) break
    const v = ious[d * G + g] as number
    if (v < best) continue
    best = v
    m = g
  }
  return m
}

/** Runs COCOeval (evaluate + accumulate) over images in COCO order and classes in category order. */
export const cocoEvaluate = (
  images: readonly string[], classes: readonly string[], truths: readonly EvalTruth[], detections: readonly EvalDetection[],
  options: EvalOptions = {}, extraThresholds: readonly number[] = [],
): CocoEvaluation => {
  const thresholds = [...IOU_THRESHOLDS, ...extraThresholds.filter((t) => !IOU_THRESHOLDS.includes(t))]
  const recallPoints = options.interpolation === 'voc11' ? VOC_RECALL_POINTS : RECALL_POINTS
  const maxDets = options.maxDets ?? MAX_DETS
  const T = thresholds.length
  const R = recallPoints.length
  const K = classes.length
  const A = AREA_RANGES.length
  const M = maxDets.length
  const precision = new Float64Array(T * R * K * A * M).fill(-1)
  const recall = new Float64Array(T * K * A * M).fill(-1)
  const groups = groupBy(images, classes, truths, detections)
  const evals = new Map<string, ImageEval[]>()
  const p = { iou: thresholds, slack: options.iouSlack ?? 0, maxDet: maxDets[M - 1] as number }
  classes.forEach((classId, k) => {
    const perImage = groups.get(classId) ?? new Map<string, { t: number[], d: number[] }>()
    const list: ImageEval[] = []
    for (const imageId of images) {
      const g = perImage.get(imageId)
      if (g !== undefined) list.push(evaluateImage(imageId, truths, g.t, detections, g.d, p))
    }
    evals.set(classId, list)
    maxDets.forEach((maxDet, m) => accumulate(list, maxDet, T, recallPoints, (a, t, q, rc) => {
      recall[((t * K + k) * A + a) * M + m] = rc
      q.forEach((v, r) => (precision[(((t * R + r) * K + k) * A + a) * M + m] = v))
    }))
  })
  return { classes, thresholds, recallPoints, maxDets, precision, recall, images: evals }
}

const groupBy = (
  images: readonly string[], classes: readonly string[], truths: readonly EvalTruth[], detections: readonly EvalDetection[],
): Map<string, Map<string, { t: number[], d: number[] }>> => {
  const known = { images: new Set(images), classes: new Set(classes) }
  const out = new Map<string, Map<string, { t: number[], d: number[] }>>()
  const at = (classId: string, imageId: string): { t: number[], d: number[] } => {
    let perImage = out.get(classId)
    if (perImage === undefined) out.set(classId, (perImage = new Map()))
    let g = perImage.get(imageId)
    if (g === undefined) perImage.set(imageId, (g = { t: [], d: [] }))
    return g
  }
  truths.forEach((t, i) => { if (known.images.has(t.imageId) && known.classes.has(t.classId)) at(t.classId, t.imageId).t.push(i) })
  detections.forEach((d, i) => { if (known.images.has(d.imageId) && known.classes.has(d.classId)) at(d.classId, d.imageId).d.push(i) })
  return out
}

/** COCOeval's accumulate for one class and maxDets: per area range and threshold, the precision curve and final recall. */
const accumulate = (
  list: readonly ImageEval[], maxDet: number, T: number, recallPoints: readonly number[],
  store: (a: number, t: number, q: Float64Array, recall: number) => void,
): void => {
  if (list.length === 0) return
  // Detections of every image in image order, each image's best first, then one stable sort.
  const refs: Array<{ e: ImageEval, d: number, score: number }> = []
  for (const e of list) for (let d = 0; d < Math.min(maxDet, e.scores.length); d++) refs.push({ e, d, score: e.scores[d] as number })
  refs.sort((x, y) => y.score - x.score)
  const n = refs.length
  const pr = new Float64Array(n)
  const rc = new Float64Array(n)
  for (let a = 0; a < AREA_RANGES.length; a++) {
    const counted = list.reduce((s, e) => s + (e.counted[a] as number), 0)
    if (counted === 0) continue
    for (let t = 0; t < T; t++) {
      let tp = 0
      let fp = 0
      for (let i = 0; i < n; i++) {
        const { e, d } = refs[i] as { e: ImageEval, d: number }
        const at = (a * T + t) * e.scores.length + d
        if (!e.ignored[at]) { if (e.matched[at]) tp++; else fp++ }
        rc[i] = tp / counted
        pr[i] = tp / (fp + tp + SPACING_1)
      }
      store(a, t, curveOf(pr, rc, n, recallPoints), n > 0 ? (rc[n - 1] as number) : 0)
    }
  }
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
