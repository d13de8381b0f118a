import { describe, expect, it } from 'vitest'
import type { BBox } from '../../src/domain/index.ts'
import { type Detection, type TruthBox, evaluate, iou } from '../../src/quality/index.ts'

// Values below are worked out by hand in the comments; AP uses COCO's 101 recall points. The
// oracle test (cocoeval.test.ts) holds the same code against pycocotools itself.
const gt = (itemId: string, classId: string, bbox: BBox): TruthBox => ({ itemId, classId, bbox })
const det = (itemId: string, classId: string, bbox: BBox, score: number): Detection => ({ itemId, classId, bbox, score })
const at = { iou: 0.5, score: 0 }
const run = (boxes: TruthBox[], predictions: Detection[], options = at, items?: string[]) =>
  evaluate({ items: items ?? [...new Set([...boxes, ...predictions].map((b) => b.itemId))], boxes }, predictions, options)
/** Numbers compared to 12 places: COCOeval's precision has np.spacing(1) in its denominator. */
const near = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? expect.closeTo(v, 12) : v]))
const row = (report: ReturnType<typeof run>, classId: string) => report.classes.find((c) => c.classId === classId)

describe('iou', () => {
  it('is intersection over union, 0 apart, 1 for the same box', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1)
    // [0,0,10,10] and [5,0,10,10]: intersection 5x10 = 50, union 100 + 100 - 50 = 150
    expect(iou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(1 / 3, 12)
    expect(iou([0, 0, 10, 10], [10, 0, 10, 10])).toBe(0) // touching edges share no area
    expect(iou([0, 0, 10, 10], [20, 20, 5, 5])).toBe(0)
  })
})

describe('evaluate', () => {
  it('has no classes and no means for an empty project', () => {
    const r = run([], [])
    expect(r.classes).toEqual([])
    expect(r.overall).toMatchObject(near({ ap50: null, ap: null, tp: 0, fp: 0, fn: 0, precision: null, recall: null, f1: null, curve: null }))
  })

  it('gives AP 1 and P = R = F1 = 1 for perfect predictions', () => {
    // Two boxes, each predicted exactly: cumulative (P,R) = (1, .5), (1, 1); every recall point reads 1.
    const boxes = [gt('a', 'cat', [0, 0, 10, 10]), gt('b', 'cat', [5, 5, 20, 20])]
    const r = run(boxes, [det('a', 'cat', [0, 0, 10, 10], 0.9), det('b', 'cat', [5, 5, 20, 20], 0.8)])
    expect(row(r, 'cat')).toMatchObject(near({ ap50: 1, ap: 1, tp: 2, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1 }))
    expect(r.overall.curve?.every((p) => Math.abs(p - 1) < 1e-12)).toBe(true)
  })

  it('gives AP 0 to a class with ground truth and no predictions', () => {
    // No prediction: recall never leaves 0, so all 101 points read 0. Precision 0/0 is undefined; F1 = 0/(0+0+2) = 0.
    const r = run([gt('a', 'cat', [0, 0, 10, 10]), gt('a', 'cat', [20, 20, 10, 10])], [])
    expect(row(r, 'cat')).toMatchObject(near({ ap50: 0, ap: 0, tp: 0, fp: 0, fn: 2, precision: null, recall: 0, f1: 0 }))
    expect(r.overall.ap).toBe(0)
  })

  it('leaves a class with predictions and no ground truth out of the mean AP, but counts its false positives', () => {
    // cat: perfect (AP 1). dog: one prediction, no truth: AP null (COCO ignores it), 1 FP.
    // Overall AP = mean over {cat} = 1; overall counts summed: TP 1, FP 1, FN 0 -> P .5, R 1, F1 2/3.
    const r = run([gt('a', 'cat', [0, 0, 10, 10])], [det('a', 'cat', [0, 0, 10, 10], 0.9), det('a', 'dog', [30, 30, 5, 5], 0.7)])
    expect(row(r, 'dog')).toMatchObject(near({ ap50: null, ap: null, curve: null, tp: 0, fp: 1, fn: 0, precision: 0, recall: null, f1: 0 }))
    expect(r.overall).toMatchObject(near({ ap50: 1, ap: 1, tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1 }))
    expect(r.overall.f1).toBeCloseTo(2 / 3, 12)
  })

  it('halves AP when a false positive is ranked above the true positive', () => {
    // One truth. Ranked: FP (.9) then TP (.8). Cumulative (P,R): (0, 0), (.5, 1).
    // Interpolation takes the best precision at recall >= r: .5 for every r in 0..1, so AP = .5.
    const r = run([gt('a', 'cat', [0, 0, 10, 10])], [det('a', 'cat', [50, 50, 10, 10], 0.9), det('a', 'cat', [0, 0, 10, 10], 0.8)])
    expect(row(r, 'cat')).toMatchObject(near({ ap50: 0.5, ap: 0.5, tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1 }))
    // The same two ranked the other way round: (1, 1), (.5, 1) -> interpolated 1 everywhere, AP 1.
    const swapped = run([gt('a', 'cat', [0, 0, 10, 10])], [det('a', 'cat', [50, 50, 10, 10], 0.3), det('a', 'cat', [0, 0, 10, 10], 0.8)])
    expect(row(swapped, 'cat')?.ap50).toBeCloseTo(1, 12)
  })

  it('counts a duplicate as a false positive without lowering AP when it ranks below the match', () => {
    // One truth, two exact predictions: the first (.9) matches, the second (.8) finds the truth taken -> FP.
    // (P,R) = (1, 1), (.5, 1): AP 1. At score >= 0: TP 1, FP 1 -> P .5, R 1, F1 = 2/(2+1) = 2/3.
    // At score >= .85 only the first counts: P = R = F1 = 1.
    const boxes = [gt('a', 'cat', [0, 0, 10, 10])]
    const preds = [det('a', 'cat', [0, 0, 10, 10], 0.9), det('a', 'cat', [0, 0, 10, 10], 0.8)]
    const r = run(boxes, preds)
    expect(row(r, 'cat')).toMatchObject(near({ ap50: 1, tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1 }))
    expect(row(r, 'cat')?.f1).toBeCloseTo(2 / 3, 12)
    expect(row(run(boxes, preds, { iou: 0.5, score: 0.85 }), 'cat')).toMatchObject(near({ tp: 1, fp: 0, precision: 1, f1: 1, ap50: 1 }))
  })

  it('gives 51/101 for half the recall at full precision', () => {
    // Two truths, one exact prediction: (P,R) = (1, .5). Recall points 0..0.50 (51 of them) read 1, the other 50 read 0.
    const r = run([gt('a', 'cat', [0, 0, 10, 10]), gt('a', 'cat', [40, 40, 10, 10])], [det('a', 'cat', [0, 0, 10, 10], 0.9)])
    expect(row(r, 'cat')?.ap50).toBeCloseTo(51 / 101, 12)
    expect(row(r, 'cat')).toMatchObject(near({ tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5 }))
  })

  it('matches at an IoU equal to the threshold and not above it', () => {
    // Truth [0,0,10,10], prediction [0,0,10,5]: intersection 50, union 100 -> IoU exactly .5.
    // TP at .50, FP at .55 … .95: AP50 = 1, AP = (1 + 9 x 0) / 10 = .1.
    const boxes = [gt('a', 'cat', [0, 0, 10, 10])]
    const half = run(boxes, [det('a', 'cat', [0, 0, 10, 5], 0.9)])
    expect(row(half, 'cat')).toMatchObject(near({ ap50: 1, tp: 1 }))
    expect(row(half, 'cat')?.ap).toBeCloseTo(0.1, 12)
    expect(row(run(boxes, [det('a', 'cat', [0, 0, 10, 5], 0.9)], { iou: 0.55, score: 0 }), 'cat')).toMatchObject(near({ tp: 0, fp: 1, fn: 1 }))
    // [0,0,10,7]: IoU .7 -> TP at .50, .55, .60, .65, .70 -> AP = 5/10.
    expect(row(run(boxes, [det('a', 'cat', [0, 0, 10, 7], 0.9)]), 'cat')?.ap).toBeCloseTo(0.5, 12)
    // A chosen IoU off COCO's grid (.3) is matched too: [0,0,10,4] has IoU .4 -> TP at .3, AP50 0.
    expect(row(run(boxes, [det('a', 'cat', [0, 0, 10, 4], 0.9)], { iou: 0.3, score: 0 }), 'cat')).toMatchObject(near({ tp: 1, ap50: 0 }))
  })

  it('matches greedily by score, each prediction to the best free truth of its own item and class', () => {
    // Truths t1 [0,0,10,10], t2 [6,0,10,10]. p1 (.9) [4,0,10,10]: IoU t1 = 60/140 = .43, t2 = 80/120 = .67 -> takes t2.
    // p2 (.8) [6,0,10,10] is t2 exactly but t2 is taken; IoU with t1 = 40/160 = .25 < .5 -> FP. t1 unmatched.
    // Ranked (P,R): (1, .5), (.5, .5): AP50 = 51/101.
    const boxes = [gt('a', 'cat', [0, 0, 10, 10]), gt('a', 'cat', [6, 0, 10, 10])]
    const r = run(boxes, [det('a', 'cat', [4, 0, 10, 10], 0.9), det('a', 'cat', [6, 0, 10, 10], 0.8)])
    expect(row(r, 'cat')).toMatchObject(near({ tp: 1, fp: 1, fn: 1 }))
    expect(row(r, 'cat')?.ap50).toBeCloseTo(51 / 101, 12)
    // The same box on another item, or under another class, matches nothing.
    const elsewhere = run([gt('a', 'cat', [0, 0, 10, 10])], [det('b', 'cat', [0, 0, 10, 10], 0.9), det('a', 'dog', [0, 0, 10, 10], 0.9)])
    expect(row(elsewhere, 'cat')).toMatchObject(near({ tp: 0, fp: 1, fn: 1, ap50: 0 }))
    expect(row(elsewhere, 'dog')).toMatchObject(near({ tp: 0, fp: 1, ap50: null }))
  })

  it('averages AP over classes with ground truth and ignores predictions on items the version lacks', () => {
    // cat AP50 1, dog AP50 0 (one truth, no prediction): overall (1 + 0) / 2 = .5.
    // The prediction on item z (not in the version) is ignored, not a false positive.
    const boxes = [gt('a', 'cat', [0, 0, 10, 10]), gt('a', 'dog', [20, 20, 10, 10])]
    const r = run(boxes, [det('a', 'cat', [0, 0, 10, 10], 0.9), det('z', 'cat', [0, 0, 10, 10], 0.9)], at, ['a'])
    expect(r.overall.ap50).toBeCloseTo(0.5, 12)
    expect(r.ignored).toBe(1)
    expect(row(r, 'cat')).toMatchObject(near({ fp: 0, predictions: 1 }))
    // The overall curve is the mean of the class curves: 1 (cat) and 0 (dog) -> .5 at every recall point.
    expect(r.overall.curve?.every((p) => Math.abs(p - 0.5) < 1e-12)).toBe(true)
  })

  it('reports progress once per class', () => {
    const calls: Array<[number, number]> = []
    evaluate({ items: ['a'], boxes: [gt('a', 'cat', [0, 0, 1, 1]), gt('a', 'dog', [0, 0, 1, 1])] }, [], at, (d, t) => calls.push([d, t]))
    expect(calls).toEqual([[1, 2], [2, 2]])
  })
})
