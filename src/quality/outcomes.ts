import type { ClassEval, CocoEvaluation, EvalDetection, EvalTruth, ImageEval } from './cocoeval.ts'
import { cocoIou } from './cocoeval.ts'

/**
 * What became of each box at one IoU and score threshold, on COCOeval's matching (area "all",
 * at most maxDets detections per image and class). A detection is `tp` (matched a truth of
 * its class), `confused` (no truth of its class, but one of another class at the IoU, left
 * unmatched by its own class), `fp` (nothing) or `ignored` (matched a crowd region). A truth is
 * `tp`, `confused` (a detection of another class took it), `fn` or `crowd`.
 */
export type DetectionOutcome = 'tp' | 'fp' | 'confused' | 'ignored'
export type TruthOutcome = 'tp' | 'fn' | 'confused' | 'crowd'

/** One box's outcome; `other` is the class on the other side of a match or confusion. */
export interface Outcome<K> { index: number, outcome: K, other?: string }

/** Outcomes per item: indices into the evaluation's detections and truths. */
export interface ItemOutcomes { detections: Outcome<DetectionOutcome>[], truths: Outcome<TruthOutcome>[] }

/** Rows are truth classes, columns predicted classes; the last row and column are background. */
export interface ConfusionMatrix {
  classes: readonly string[]
  /** counts[truth][predicted], (classes.length + 1)². */
  counts: number[][]
}

/** The outcomes of every box and the confusion matrix they add up to. */
export interface Outcomes { byItem: Map<string, ItemOutcomes>, matrix: ConfusionMatrix }

interface Pending { det: number[], truth: number[] }

/** Every box's outcome and the confusion matrix at threshold index `t` and score ≥ `score`. */
export const outcomesAt = (
  e: CocoEvaluation, truths: readonly EvalTruth[], detections: readonly EvalDetection[], t: number, score: number,
): Outcomes => {
  const byItem = new Map<string, ItemOutcomes>()
  const at = (imageId: string): ItemOutcomes => {
    let o = byItem.get(imageId)
    if (o === undefined) byItem.set(imageId, (o = { detections: [], truths: [] }))
    return o
  }
  const pending = new Map<string, Pending>()
  for (const classId of e.classes) {
    const c = e.images.get(classId)
    for (const image of c?.images ?? []) {
      const o = at(image.imageId)
      let p = pending.get(image.imageId)
      if (p === undefined) pending.set(image.imageId, (p = { det: [], truth: [] }))
      classOutcomes(c as ClassEval, image, t, score, truths, detections, classId, o, p)
    }
  }
  const K = e.classes.length
  const row = new Map(e.classes.map((c, k) => [c, k]))
  const counts = Array.from({ length: K + 1 }, () => new Array<number>(K + 1).fill(0))
  const add = (truthRow: number, predicted: number): void => {
    const r = counts[truthRow] as number[]
    r[predicted] = (r[predicted] as number) + 1
  }
  for (const [imageId, p] of pending) confuse(p, truths, detections, e.thresholds[t] as number, at(imageId))
  for (const o of byItem.values()) {
    o.detections.sort((a, b) => a.index - b.index)
    o.truths.sort((a, b) => a.index - b.index)
    for (const d of o.detections) {
      const pred = row.get((detections[d.index] as EvalDetection).classId) as number
      if (d.outcome === 'tp') add(pred, pred)
      else if (d.outcome === 'confused') add(row.get(d.other as string) as number, pred)
      else if (d.outcome === 'fp') add(K, pred)
    }
    for (const g of o.truths) if (g.outcome === 'fn') add(row.get((truths[g.index] as EvalTruth).classId) as number, K)
  }
  return { byItem, matrix: { classes: e.classes, counts } }
}

const classOutcomes = (
  c: ClassEval, image: ImageEval, t: number, score: number,
  truths: readonly EvalTruth[], detections: readonly EvalDetection[], classId: string, o: ItemOutcomes, p: Pending,
): void => {
  // Area 'all' is the first of the [a][t][j] rows.
  const base = t * c.score.length
  for (let j = image.start; j < image.start + image.count && (c.score[j] as number) >= score; j++) {
    const index = c.detection[j] as number
    if (c.ignored[base + j]) o.detections.push({ index, outcome: 'ignored' })
    else if (c.matched[base + j]) o.detections.push({ index, outcome: 'tp', other: classId })
    else p.det.push(index)
  }
  for (let g = image.truthStart; g < image.truthStart + image.truthCount; g++) {
    const index = c.truth[g] as number
    const by = c.truthMatch[t * c.truth.length + g] as number
    if ((truths[index] as EvalTruth).crowd) o.truths.push({ index, outcome: 'crowd' })
    else if (by >= 0 && (detections[by] as EvalDetection).score >= score) o.truths.push({ index, outcome: 'tp', other: classId })
    else p.truth.push(index)
  }
}

// What each class left unmatched in one image, paired across classes by IoU, highest first.
const confuse = (p: Pending, truths: readonly EvalTruth[], detections: readonly EvalDetection[], threshold: number, o: ItemOutcomes): void => {
  const pairs: Array<{ d: number, g: number, iou: number }> = []
  for (const d of p.det) {
    for (const g of p.truth) {
      const [det, truth] = [detections[d] as EvalDetection, truths[g] as EvalTruth]
      if (det.classId === truth.classId) continue
      const iou = cocoIou(det.bbox, truth.bbox, false)
      if (iou >= threshold) pairs.push({ d, g, iou })
    }
  }
  pairs.sort((a, b) => b.iou - a.iou || a.d - b.d || a.g - b.g)
  const [usedD, usedG] = [new Map<number, string>(), new Map<number, string>()]
  for (const { d, g } of pairs) {
    if (usedD.has(d) || usedG.has(g)) continue
    usedD.set(d, (truths[g] as EvalTruth).classId)
    usedG.set(g, (detections[d] as EvalDetection).classId)
  }
  for (const d of p.det) o.detections.push(usedD.has(d) ? { index: d, outcome: 'confused', other: usedD.get(d) as string } : { index: d, outcome: 'fp' })
  for (const g of p.truth) o.truths.push(usedG.has(g) ? { index: g, outcome: 'confused', other: usedG.get(g) as string } : { index: g, outcome: 'fn' })
}

/** A cell of the matrix or a count of the table: which boxes it means. */
export type OutcomeQuery =
  | { kind: 'detection', classId: string, outcome: DetectionOutcome, other?: string }
  | { kind: 'truth', classId: string, outcome: TruthOutcome, other?: string }

/** The items with at least one box the query means, in the order given (a grid's order). */
export const itemsWhere = (
  outcomes: Outcomes, query: OutcomeQuery, truths: readonly EvalTruth[], detections: readonly EvalDetection[], order: Iterable<string>,
): string[] => {
  const hit = (o: ItemOutcomes): boolean => query.kind === 'detection'
    ? o.detections.some((d) => d.outcome === query.outcome && (detections[d.index] as EvalDetection).classId === query.classId && (query.other === undefined || d.other === query.other))
    : o.truths.some((g) => g.outcome === query.outcome && (truths[g.index] as EvalTruth).classId === query.classId && (query.other === undefined || g.other === query.other))
  const out: string[] = []
  for (const id of order) {
    const o = outcomes.byItem.get(id)
    if (o !== undefined && hit(o)) out.push(id)
  }
  return out
}
