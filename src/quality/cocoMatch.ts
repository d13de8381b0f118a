import type { BBox } from '../domain/index.ts'
import { AREA_RANGES } from './cocoParams.ts'
import type { ClassEval, EvalDetection, EvalTruth, ImageEval } from './cocoeval.ts'

/**
 * COCOeval's evaluateImg: how each image's detections of one class match its truths, at every
 * area range and IoU threshold, written into the class's flat arrays (`ClassEval`).
 */

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

export interface Thresholds { iou: readonly number[], slack: number, maxDet: number }

/** COCOeval's evaluateImg for every image of one class, at every area range and IoU threshold. */
export const evaluateClass = (
  images: readonly string[], k: number, groups: Groups,
  truths: readonly EvalTruth[], detections: readonly EvalDetection[], p: Thresholds,
): ClassEval => {
  const list: ImageEval[] = []
  const dtsOf: number[][] = []
  const truthsOf: number[][] = []
  let n = 0
  let g = 0
  const slice = (from: Int32Array, start: number, end: number): number[] => {
    const out: number[] = []
    for (let x = start; x < end; x++) out.push(from[x] as number)
    return out
  }
  for (let i = 0; i < groups.N; i++) {
    const b = k * groups.N + i
    const d0 = groups.detStart[b] as number
    const d1 = groups.detStart[b + 1] as number
    const t0 = groups.truthStart[b] as number
    const t1 = groups.truthStart[b + 1] as number
    if (d0 === d1 && t0 === t1) continue
    const own = slice(groups.det, d0, d1)
    const dts = own.length > 1 ? byScore(detections, own).slice(0, p.maxDet) : own
    list.push({ imageId: images[i] as string, start: n, count: dts.length, truthStart: g, truthCount: t1 - t0, counted: [] })
    dtsOf.push(dts)
    truthsOf.push(slice(groups.truth, t0, t1))
    n += dts.length
    g += t1 - t0
  }
  const T = p.iou.length
  const A = AREA_RANGES.length
  const c: ClassEval = {
    images: list, detection: new Int32Array(n), score: new Float64Array(n), rank: new Int32Array(n),
    matched: new Uint8Array(A * T * n), ignored: new Uint8Array(A * T * n), truth: new Int32Array(g), truthMatch: new Int32Array(T * g).fill(-1),
  }
  list.forEach((image, i) => {
    const dts = dtsOf[i] as number[]
    dts.forEach((d, r) => {
      c.detection[image.start + r] = d
      c.score[image.start + r] = (detections[d] as EvalDetection).score
      c.rank[image.start + r] = r
    })
    const own = truthsOf[i] as number[]
    own.forEach((t, x) => (c.truth[image.truthStart + x] = t))
    matchImage(c, image, own, dts, truths, detections, p, n, g)
  })
  return c
}

// One image: for each area range and threshold, detections in score order take the truth COCOeval gives them.
const matchImage = (
  c: ClassEval, image: ImageEval, truthIndex: readonly number[], dts: readonly number[],
  truths: readonly EvalTruth[], detections: readonly EvalDetection[], p: Thresholds, n: number, nTruths: number,
): void => {
  const D = dts.length
  const G = truthIndex.length
  const T = p.iou.length
  const gts = truthIndex.map((t) => truths[t] as EvalTruth)
  const boxes = dts.map((d) => (detections[d] as EvalDetection).bbox)
  // Small plain arrays: most images hold a handful of boxes per class.
  const ious: number[] = []
  for (let d = 0; d < D; d++) for (let k = 0; k < G; k++) ious.push(cocoIou(boxes[d] as BBox, (gts[k] as EvalTruth).bbox, (gts[k] as EvalTruth).crowd))
  if (G === 0) return unmatchedOnly(c, image, boxes, T, n)
  if (G === 1) return matchOne(c, image, gts[0] as EvalTruth, ious, boxes, dts, p, n, nTruths)
  // Area ranges that ignore the same truths match the same way: match once per distinct pattern.
  const done = new Map<string, number>()
  for (let a = 0; a < AREA_RANGES.length; a++) {
    const [lo, hi] = AREA_RANGES[a] as readonly [number, number]
    const ig = gts.map((t) => (t.crowd || t.area < lo || t.area > hi ? 1 : 0))
    image.counted.push(ig.reduce<number>((sum, x) => sum + (x === 0 ? 1 : 0), 0))
    const pattern = ig.join('')
    const same = done.get(pattern)
    if (same === undefined) {
      matchArea(c, image, a, ig, ious, dts, gts, p, n, nTruths)
      done.set(pattern, a)
    } else {
      copyArea(c, image, same, a, T, n)
    }
    // An unmatched detection outside the area range does not count.
    for (let t = 0; t < T; t++) {
      const base = (a * T + t) * n + image.start
      boxes.forEach((box, d) => {
        if (!c.matched[base + d] && (box[2] * box[3] < lo || box[2] * box[3] > hi)) c.ignored[base + d] = 1
      })
    }
  }
}

const matchArea = (
  c: ClassEval, image: ImageEval, a: number, ig: readonly number[], ious: readonly number[], dts: readonly number[],
  gts: readonly EvalTruth[], p: Thresholds, n: number, nTruths: number,
): void => {
  const [D, G, T] = [dts.length, gts.length, p.iou.length]
  // Truths that count first, each group in input order (numpy's stable argsort).
  const order = ig.every((x) => x === 0) ? [...ig.keys()] : [...ig.keys()].sort((x, y) => (ig[x] as number) - (ig[y] as number))
  const taken: number[] = new Array<number>(G).fill(0)
  for (let t = 0; t < T; t++) {
    taken.fill(0)
    const base = (a * T + t) * n + image.start
    const threshold = Math.min(p.iou[t] as number, 1 - 1e-10) - p.slack
    for (let d = 0; d < D; d++) {
      const m = bestTruth(ious, d, G, order, ig, taken, gts, threshold)
      if (m < 0) continue
      taken[m] = 1
      c.matched[base + d] = 1
      c.ignored[base + d] = ig[m] as number
      if (a === 0) c.truthMatch[t * nTruths + image.truthStart + m] = dts[d] as number
    }
  }
}

// The matching of area range `from` for area range `to`, which ignores the same truths; the
// area-range ignores of unmatched detections are set afterwards, for `to`'s own range.
const copyArea = (c: ClassEval, image: ImageEval, from: number, to: number, T: number, n: number): void => {
  for (let t = 0; t < T; t++) {
    const [src, dst] = [(from * T + t) * n + image.start, (to * T + t) * n + image.start]
    for (let d = 0; d < image.count; d++) {
      c.matched[dst + d] = c.matched[src + d] as number
      c.ignored[dst + d] = c.matched[src + d] ? (c.ignored[src + d] as number) : 0
    }
  }
}

// One truth (most images hold one box of a class): the best-scored detection reaching the
// threshold takes it; a crowd truth takes every detection reaching it. COCOeval's loop, unrolled.
const matchOne = (
  c: ClassEval, image: ImageEval, truth: EvalTruth, ious: readonly number[], boxes: readonly BBox[], dts: readonly number[],
  p: Thresholds, n: number, nTruths: number,
): void => {
  const T = p.iou.length
  for (let a = 0; a < AREA_RANGES.length; a++) {
    const [lo, hi] = AREA_RANGES[a] as readonly [number, number]
    const ig = truth.crowd || truth.area < lo || truth.area > hi ? 1 : 0
    image.counted.push(1 - ig)
    for (let t = 0; t < T; t++) {
      const base = (a * T + t) * n + image.start
      const threshold = Math.min(p.iou[t] as number, 1 - 1e-10) - p.slack
      let taken = false
      for (let d = 0; d < dts.length; d++) {
        if ((taken && !truth.crowd) || (ious[d] as number) < threshold) {
          const box = boxes[d] as BBox
          if (box[2] * box[3] < lo || box[2] * box[3] > hi) c.ignored[base + d] = 1
          continue
        }
        taken = true
        c.matched[base + d] = 1
        c.ignored[base + d] = ig
        if (a === 0) c.truthMatch[t * nTruths + image.truthStart] = dts[d] as number
      }
    }
  }
}

// An image with detections and no truth of the class: nothing matches; only the area ranges ignore.
const unmatchedOnly = (c: ClassEval, image: ImageEval, boxes: readonly BBox[], T: number, n: number): void => {
  AREA_RANGES.forEach(([lo, hi], a) => {
    image.counted.push(0)
    boxes.forEach((box, d) => {
      if (box[2] * box[3] >= lo && box[2] * box[3] <= hi) return
      for (let t = 0; t < T; t++) c.ignored[(a * T + t) * n + image.start + d] = 1
    })
  })
}

// COCOeval's inner loop: the last truth with the highest IoU ≥ the threshold; a crowd truth may
// be matched again; once matched to a counted truth, ignored truths (sorted last) are not tried.
const bestTruth = (
  ious: readonly number[], d: number, G: number, order: readonly number[], ig: readonly number[], taken: readonly number[],
  gts: readonly EvalTruth[], threshold: number,
): number => {
  let best = threshold
  let m = -1
  for (const g of order) {
    if (taken[g] === 1 && !(gts[g] as EvalTruth).crowd) continue
    if (m > -1 && ig[m] === 0 && ig[g] === 1) break
    const v = ious[d * G + g] as number
    if (v < best) continue
    best = v
    m = g
  }
  return m
}

/**
 * Boxes grouped by (class, image) with a stable counting sort: bucket k × N + i holds class k
 * on image i, detections and truths each in input order. Boxes of unknown images or classes
 * are left out (COCOeval ignores unknown categories; Strata reports predictions elsewhere).
 */
export interface Groups { N: number, det: Int32Array, detStart: Int32Array, truth: Int32Array, truthStart: Int32Array }

const bucketsOf = (
  boxes: readonly { itemId: string, classId: string }[], image: Map<string, number>, klass: Map<string, number>, buckets: number,
): { order: Int32Array, start: Int32Array } => {
  const key = new Int32Array(boxes.length)
  const start = new Int32Array(buckets + 1)
  boxes.forEach((b, i) => {
    const [im, k] = [image.get(b.itemId), klass.get(b.classId)]
    const bucket = im === undefined || k === undefined ? -1 : k * image.size + im
    key[i] = bucket
    if (bucket >= 0) start[bucket + 1] = (start[bucket + 1] as number) + 1
  })
  for (let b = 0; b < buckets; b++) start[b + 1] = (start[b + 1] as number) + (start[b] as number)
  const fill = start.slice(0, buckets)
  const order = new Int32Array(start[buckets] as number)
  key.forEach((k, i) => {
    if (k < 0) return
    const at = fill[k] ?? 0
    order[at] = i
    fill[k] = at + 1
  })
  return { order, start }
}

export const groupBy = (
  images: readonly string[], classes: readonly string[], truths: readonly EvalTruth[], detections: readonly EvalDetection[],
): Groups => {
  const image = new Map(images.map((id, i) => [id, i]))
  const klass = new Map(classes.map((id, k) => [id, k]))
  const buckets = images.length * classes.length
  const d = bucketsOf(detections, image, klass, buckets)
  const t = bucketsOf(truths, image, klass, buckets)
  return { N: images.length, det: d.order, detStart: d.start, truth: t.order, truthStart: t.start }
}
