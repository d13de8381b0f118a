/** COCO's recall points 0, 0.01, …, 1 at which interpolated precision is read. */
export const RECALL_POINTS: readonly number[] = Array.from({ length: 101 }, (_, i) => i / 100)

/** COCO's IoU thresholds 0.50, 0.55, …, 0.95. */
export const IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => (50 + 5 * i) / 100)

/**
 * The 101-point interpolated precision curve of ranked hits (1 = true positive, best first)
 * against `truths` ground truths: at each recall point r, the highest precision reached at
 * any recall ≥ r, or 0 where that recall is never reached. Needs `truths` > 0.
 */
export const interpolatedCurve = (hits: Uint8Array, truths: number): number[] => {
  const n = hits.length
  const precision = new Float64Array(n)
  const recall = new Float64Array(n)
  let tp = 0
  for (let i = 0; i < n; i++) {
    tp += hits[i] as number
    precision[i] = tp / (i + 1)
    recall[i] = tp / truths
  }
  for (let i = n - 2; i >= 0; i--) precision[i] = Math.max(precision[i] as number, precision[i + 1] as number)
  let i = 0
  return RECALL_POINTS.map((r) => {
    // recall never decreases, so one pointer walks it once for all 101 points
    while (i < n && (recall[i] as number) < r - 1e-12) i++
    return i < n ? (precision[i] as number) : 0
  })
}

/** The mean of a curve: average precision. */
export const areaOf = (curve: readonly number[]): number => curve.reduce((s, p) => s + p, 0) / curve.length

/** True positives among the hits whose score reaches `minScore` (scores best first). */
export const hitsAbove = (hits: Uint8Array, scores: Float64Array, minScore: number): { tp: number; kept: number } => {
  let tp = 0
  let kept = 0
  while (kept < scores.length && (scores[kept] as number) >= minScore) tp += hits[kept++] as number
  return { tp, kept }
}
