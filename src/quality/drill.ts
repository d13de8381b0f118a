import type { BBox } from '../domain/index.ts'
import type { DetectionOutcome, ItemOutcomes, TruthOutcome } from './outcomes.ts'
import type { ConfusionMatrix } from './outcomes.ts'
import type { Evaluation } from './quality.ts'

/**
 * Which boxes a count or a matrix cell stands for. `classId` '' means every class (the
 * "All classes" row); several outcomes are one count (the table's FP is `fp` + `confused`).
 */
export type BoxSelection =
  | { kind: 'detection'; classId: string; outcomes: readonly DetectionOutcome[]; other?: string }
  | { kind: 'truth'; classId: string; outcomes: readonly TruthOutcome[]; other?: string }

/** One box of an item as the item view marks it. */
export interface BoxOutcome {
  kind: 'detection' | 'truth'
  classId: string
  bbox: BBox
  /** Detections only. */
  score?: number
  outcome: DetectionOutcome | TruthOutcome
  /** The class on the other side of a confusion. */
  other?: string
}

/** An item's false positives (confusions included) and misses (confusions included). */
export interface ItemErrors { itemId: string; fp: number; fn: number }

/** The boxes the table's TP, FP and FN counts of one class ('' = all) are made of. */
export const countSelection = (count: 'tp' | 'fp' | 'fn', classId: string): BoxSelection =>
  count === 'tp' ? { kind: 'detection', classId, outcomes: ['tp'] }
    : count === 'fp' ? { kind: 'detection', classId, outcomes: ['fp', 'confused'] }
      : { kind: 'truth', classId, outcomes: ['fn', 'confused'] }

/**
 * The boxes of matrix cell [truth row][predicted column]: a hit on the diagonal, a confusion
 * off it, a false positive in the background row, a miss in the background column.
 */
export const cellSelection = (matrix: ConfusionMatrix, row: number, column: number): BoxSelection | null => {
  const K = matrix.classes.length
  const [truth, predicted] = [matrix.classes[row], matrix.classes[column]]
  if (row === K && predicted !== undefined) return { kind: 'detection', classId: predicted, outcomes: ['fp'] }
  if (column === K && truth !== undefined) return { kind: 'truth', classId: truth, outcomes: ['fn'] }
  if (truth === undefined || predicted === undefined) return null
  if (row === column) return { kind: 'detection', classId: predicted, outcomes: ['tp'] }
  return { kind: 'detection', classId: predicted, outcomes: ['confused'], other: truth }
}

const selects = (e: Evaluation, s: BoxSelection, o: ItemOutcomes): boolean => {
  const boxes = s.kind === 'detection' ? o.detections.map((d) => ({ ...d, classId: e.detections[d.index]?.classId }))
    : o.truths.map((g) => ({ ...g, classId: e.truths[g.index]?.classId }))
  const outcomes: readonly string[] = s.outcomes
  return boxes.some((b) => outcomes.includes(b.outcome) && (s.classId === '' || b.classId === s.classId) && (s.other === undefined || b.other === s.other))
}

/** The items (COCO order) with at least one box the selection means. */
export const itemsSelected = (e: Evaluation, s: BoxSelection): string[] =>
  e.items.filter((id) => {
    const o = e.outcomes.byItem.get(id)
    return o !== undefined && selects(e, s, o)
  })

/** Every box of one item that the evaluation gave an outcome: what the item view marks. */
export const boxOutcomes = (e: Evaluation, itemId: string): BoxOutcome[] => {
  const o = e.outcomes.byItem.get(itemId)
  if (!o) return []
  const other = (x: string | undefined): { other?: string } => (x === undefined ? {} : { other: x })
  return [
    ...o.truths.flatMap((g) => {
      const t = e.truths[g.index]
      return t ? [{ kind: 'truth' as const, classId: t.classId, bbox: t.bbox, outcome: g.outcome, ...other(g.outcome === 'confused' ? g.other : undefined) }] : []
    }),
    ...o.detections.flatMap((d) => {
      const p = e.detections[d.index]
      return p ? [{ kind: 'detection' as const, classId: p.classId, bbox: p.bbox, score: p.score, outcome: d.outcome, ...other(d.outcome === 'confused' ? d.other : undefined) }] : []
    }),
  ]
}

/** Per item with any error, its FP and FN counts as the table counts them. */
export const itemErrors = (e: Evaluation): ItemErrors[] => {
  const out: ItemErrors[] = []
  for (const itemId of e.items) {
    const o = e.outcomes.byItem.get(itemId)
    if (!o) continue
    const fp = o.detections.filter((d) => d.outcome === 'fp' || d.outcome === 'confused').length
    const fn = o.truths.filter((g) => g.outcome === 'fn' || g.outcome === 'confused').length
    if (fp || fn) out.push({ itemId, fp, fn })
  }
  return out
}

/** The items whose FP or FN count differs between two evaluations (A's order, then items only B has). */
export const changedOutcomes = (a: readonly ItemErrors[], b: readonly ItemErrors[]): Array<{ itemId: string; a: ItemErrors; b: ItemErrors }> => {
  const zero = (itemId: string): ItemErrors => ({ itemId, fp: 0, fn: 0 })
  const inA = new Map(a.map((x) => [x.itemId, x]))
  const inB = new Map(b.map((x) => [x.itemId, x]))
  const ids = [...new Set([...a.map((x) => x.itemId), ...b.map((x) => x.itemId)])]
  return ids.flatMap((itemId) => {
    const [x, y] = [inA.get(itemId) ?? zero(itemId), inB.get(itemId) ?? zero(itemId)]
    return x.fp !== y.fp || x.fn !== y.fn ? [{ itemId, a: x, b: y }] : []
  })
}
