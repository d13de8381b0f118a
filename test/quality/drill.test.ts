import { describe, expect, test } from 'vitest'
import type { BBox } from '../../src/domain/index.ts'
import { evaluateFully, type TruthBox, type Detection } from '../../src/quality/index.ts'
import { boxOutcomes, cellSelection, changedOutcomes, countSelection, itemErrors, itemsSelected } from '../../src/quality/drill.ts'

const truth = (itemId: string, classId: string, bbox: BBox, crowd = false): TruthBox => ({ itemId, classId, bbox, ...(crowd ? { crowd } : {}) })
const det = (itemId: string, classId: string, bbox: BBox, score: number): Detection => ({ itemId, classId, bbox, score })

const classes = ['car', 'cat', 'dog', 'person']
const boxes = [
  truth('one', 'car', [0, 0, 10, 10]), truth('one', 'dog', [50, 50, 10, 10]),
  truth('two', 'cat', [0, 0, 10, 10]), truth('two', 'person', [0, 0, 100, 100], true),
  truth('three', 'car', [0, 0, 20, 20]),
]
const detections = [
  det('one', 'car', [0, 0, 10, 10], 0.9), // hit
  det('one', 'cat', [50, 50, 10, 10], 0.8), // a cat where a dog is
  det('one', 'car', [100, 100, 5, 5], 0.7), // nothing there
  det('two', 'person', [20, 20, 10, 10], 0.6), // in a crowd region
  det('three', 'car', [0, 0, 20, 20], 0.95), // hit
  det('three', 'car', [60, 60, 5, 5], 0.3), // below the score threshold
]
const evaluation = () => evaluateFully({ items: ['one', 'two', 'three'], classes, boxes }, detections, { iou: 0.5, score: 0.5 })

describe('from a count or a cell to the items and boxes behind it', () => {
  test('the table’s counts select exactly the items whose boxes they count', () => {
    const e = evaluation()
    const car = e.report.classes.find((c) => c.classId === 'car')
    expect([car?.tp, car?.fp, car?.fn]).toEqual([2, 1, 0])
    expect(itemsSelected(e, countSelection('tp', 'car'))).toEqual(['one', 'three'])
    expect(itemsSelected(e, countSelection('fp', 'car'))).toEqual(['one'])
    // The table's FP of cat counts the confusion with dog; its FN of dog counts it too.
    expect(itemsSelected(e, countSelection('fp', 'cat'))).toEqual(['one'])
    expect(itemsSelected(e, countSelection('fn', 'dog'))).toEqual(['one'])
    expect(itemsSelected(e, countSelection('fn', 'cat'))).toEqual(['two'])
    expect(itemsSelected(e, countSelection('fp', ''))).toEqual(['one'])
    expect(itemsSelected(e, countSelection('tp', ''))).toEqual(['one', 'three'])
  })

  test('matrix cells: diagonal hits, confusions off it, background row and column', () => {
    const e = evaluation()
    const m = e.report.matrix
    const [car, cat, dog, bg] = [0, 1, 2, 4]
    expect(cellSelection(m, car, car)).toEqual({ kind: 'detection', classId: 'car', outcomes: ['tp'] })
    expect(cellSelection(m, dog, cat)).toEqual({ kind: 'detection', classId: 'cat', outcomes: ['confused'], other: 'dog' })
    expect(cellSelection(m, bg, car)).toEqual({ kind: 'detection', classId: 'car', outcomes: ['fp'] })
    expect(cellSelection(m, cat, bg)).toEqual({ kind: 'truth', classId: 'cat', outcomes: ['fn'] })
    expect(cellSelection(m, bg, bg)).toBeNull()
    for (let r = 0; r <= bg; r++) {
      for (let c = 0; c <= bg; c++) {
        const s = cellSelection(m, r, c)
        const n = m.counts[r]?.[c] ?? 0
        if (s) expect(itemsSelected(e, s).length > 0, `cell ${r},${c}`).toBe(n > 0)
      }
    }
    expect(itemsSelected(e, cellSelection(m, dog, cat)!)).toEqual(['one'])
  })

  test('an item’s boxes with their outcomes, and its errors', () => {
    const e = evaluation()
    expect(boxOutcomes(e, 'one').map((b) => [b.kind, b.classId, b.outcome, b.other ?? null, b.score ?? null])).toEqual([
      ['truth', 'car', 'tp', null, null], ['truth', 'dog', 'confused', 'cat', null],
      ['detection', 'car', 'tp', null, 0.9], ['detection', 'cat', 'confused', 'dog', 0.8], ['detection', 'car', 'fp', null, 0.7],
    ])
    expect(boxOutcomes(e, 'one')[4]?.bbox).toEqual([100, 100, 5, 5])
    expect(boxOutcomes(e, 'two').map((b) => b.outcome)).toEqual(['fn', 'crowd', 'ignored'])
    expect(boxOutcomes(e, 'nowhere')).toEqual([])
    expect(itemErrors(e)).toEqual([{ itemId: 'one', fp: 2, fn: 1 }, { itemId: 'two', fp: 0, fn: 1 }])
  })

  test('changed outcomes: items whose FP or FN count differs, including ones clean on one side', () => {
    const a = [{ itemId: 'one', fp: 2, fn: 1 }, { itemId: 'two', fp: 0, fn: 1 }]
    const b = [{ itemId: 'one', fp: 2, fn: 1 }, { itemId: 'three', fp: 1, fn: 0 }]
    expect(changedOutcomes(a, b)).toEqual([
      { itemId: 'two', a: { itemId: 'two', fp: 0, fn: 1 }, b: { itemId: 'two', fp: 0, fn: 0 } },
      { itemId: 'three', a: { itemId: 'three', fp: 0, fn: 0 }, b: { itemId: 'three', fp: 1, fn: 0 } },
    ])
  })
})
