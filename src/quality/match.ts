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
 * overlaps: computed once, then matched at every IoU threshold.
 */
export interface ClassCase {
  truths: number
  /** Scores, best first (ties keep input order, as COCO's stable sort does). */
  scores: Float64Array
  /** For prediction i: indices into the class's ground truths and the IoU with each. */
  overlaps: Array<{ truth: Int32Array; iou: Float64Array }>
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
  const overlaps = order.map((p, rank) => {
    const d = predictions[p] as Detection
    scores[rank] = d.score
    const candidates = (byItem.get(d.itemId) ?? []).map((t) => [t, iou(d.bbox, (truths[t] as TruthBox).bbox)] as const).filter(([, v]) => v > 0)
    return { truth: Int32Array.from(candidates, ([t]) => t), iou: Float64Array.from(candidates, ([, v]) => v) }
  })
  return { truths: truths.length, scores, overlaps }
}

/**
 * Greedy matching at one IoU threshold, COCO's way: predictions in score order each take the
 * unmatched ground truth of their item with the highest IoU, if that IoU reaches the
 * threshold. Answers 1 (true positive) or 0 (false positive) per prediction, best first.
 */
export const matchAt = (c: ClassCase, threshold: number): Uint8Array => {
  const taken = new Uint8Array(c.truths)
  const hits = new Uint8Array(c.overlaps.length)
  c.overlaps.forEach((o, rank) => {
    let best = -1
    let bestIou = threshold - IOU_EPSILON
    for (let k = 0; k < o.truth.length; k++) {
      const t = o.truth[k] as number
      const v = o.iou[k] as number
      if (!taken[t] && v >= bestIou) [best, bestIou] = [t, v]
    }
    if (best >= 0) {
      taken[best] = 1
      hits[rank] = 1
    }
  })
  return hits
}
