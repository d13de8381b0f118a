import type { BBox } from '../domain/index.ts'

/** A ground-truth box: a label of one class on one item. */
export interface TruthBox {
  itemId: string
  classId: string
  bbox: BBox
}

/** A predicted box with its confidence, as a COCO results row has it. */
export interface Detection extends TruthBox {
  score: number
}

/**
 * Float slack when comparing an IoU with a threshold: a box whose IoU is the threshold on
 * paper (e.g. exactly half of the union) may compute a hair below it.
 */
export const IOU_EPSILON = 1e-9

/** Intersection over union of two `[x, y, w, h]` boxes; 0 when they do not overlap. */
export const iou = (a: BBox, b: BBox): number => {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0])
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1])
  if (w <= 0 || h <= 0) return 0
  const inter = w * h
  const union = a[2] * a[3] + b[2] * b[3] - inter
  return union > 0 ? inter / union : 0
}

/**
 * One class's predictions, best first, each with the ground truths of the same item it
 * overlaps (compressed rows: prediction i's overlaps are `truth`/`iou` from `start[i]` to
 * `start[i + 1]`): computed once, then matched at every IoU threshold.
 */
export interface ClassCase {
  truths: number
  /** Scores, best first (ties keep input order, as COCO's stable sort does). */
  scores: Float64Array
  start: Int32Array
  truth: Int32Array
  iou: Float64Array
}

/** Builds the matching problem of one class from its ground truths and predictions. */
export const classCase = (truths: TruthBox[], predictions: Detection[]): ClassCase => {
  const byItem = new Map<string, number[]>()
  truths.forEach((t, i) => {
    const list = byItem.get(t.itemId)
    if (list) list.push(i)
    else byItem.set(t.itemId, [i])
  })
  const order = predictions.map((_, i) => i).sort((a, b) => (predictions[b] as Detection).score - (predictions[a] as Detection).score || a - b)
  const scores = new Float64Array(order.length)
  const start = new Int32Array(order.length + 1)
  const truth: number[] = []
  const overlap: number[] = []
  order.forEach((p, rank) => {
    const d = predictions[p] as Detection
    scores[rank] = d.score
    for (const t of byItem.get(d.itemId) ?? []) {
      const v = iou(d.bbox, (truths[t] as TruthBox).bbox)
      if (v <= 0) continue
      truth.push(t)
      overlap.push(v)
    }
    start[rank + 1] = truth.length
  })
  return { truths: truths.length, scores, start, truth: Int32Array.from(truth), iou: Float64Array.from(overlap) }
}

/**
 * Greedy matching at one IoU threshold, COCO's way: predictions in score order each take the
 * unmatched ground truth of their item with the highest IoU, if that IoU reaches the
 * threshold. Answers 1 (true positive) or 0 (false positive) per prediction, best first.
 */
export const matchAt = (c: ClassCase, threshold: number): Uint8Array => {
  const taken = new Uint8Array(c.truths)
  const hits = new Uint8Array(c.scores.length)
  for (let rank = 0; rank < hits.length; rank++) {
    let best = -1
    let bestIou = threshold - IOU_EPSILON
    for (let k = c.start[rank] as number; k < (c.start[rank + 1] as number); k++) {
      const t = c.truth[k] as number
      const v = c.iou[k] as number
      if (!taken[t] && v >= bestIou) {
        best = t
        bestIou = v
      }
    }
    if (best >= 0) {
      taken[best] = 1
      hits[rank] = 1
    }
  }
  return hits
}
