import { describe, expect, test } from 'vitest'
import type { BBox } from '../../src/domain/index.ts'
import { cocoEvaluate, type EvalDetection, type EvalTruth } from '../../src/quality/cocoeval.ts'
import { itemsWhere, outcomesAt } from '../../src/quality/outcomes.ts'

const truth = (imageId: string, classId: string, bbox: BBox, crowd = false): EvalTruth => ({ itemId: imageId, classId, bbox, area: bbox[2] * bbox[3], crowd })
const det = (imageId: string, classId: string, bbox: BBox, score: number): EvalDetection => ({ itemId: imageId, classId, bbox, score })

const classes = ['car', 'cat', 'dog', 'person']
const truths = [
  truth('one', 'car', [0, 0, 10, 10]), truth('one', 'dog', [50, 50, 10, 10]),
  truth('two', 'cat', [0, 0, 10, 10]), truth('two', 'person', [0, 0, 100, 100], true),
]
const detections = [
  det('one', 'car', [0, 0, 10, 10], 0.9), // a hit
  det('one', 'cat', [50, 50, 10, 10], 0.8), // a cat where a dog is: confused
  det('one', 'car', [100, 100, 5, 5], 0.7), // nothing there
  det('two', 'person', [20, 20, 10, 10], 0.6), // inside a crowd region: ignored
]
const evaluation = () => cocoEvaluate(['one', 'two'], classes, truths, detections, {}, [])

describe('outcomes and the confusion matrix', () => {
  test('each box is a hit, a confusion, a false positive, a miss or ignored; the matrix adds them up', () => {
    const o = outcomesAt(evaluation(), truths, detections, 0, 0)
    const bg = 4
    const cell = (t: number, p: number) => o.matrix.counts[t]?.[p]
    expect([cell(0, 0), cell(2, 1), cell(bg, 0), cell(1, bg)]).toEqual([1, 1, 1, 1])
    expect(o.matrix.counts.flat().reduce((a, b) => a + b, 0)).toBe(4)
    expect(o.byItem.get('one')?.detections.map((d) => [d.index, d.outcome, d.other])).toEqual([[0, 'tp', 'car'], [1, 'confused', 'dog'], [2, 'fp', undefined]])
    expect(o.byItem.get('two')?.truths.map((g) => [g.index, g.outcome])).toEqual([[2, 'fn'], [3, 'crowd']])
    expect(o.byItem.get('two')?.detections.map((d) => d.outcome)).toEqual(['ignored'])
  })

  test('from a count to the items behind it', () => {
    const o = outcomesAt(evaluation(), truths, detections, 0, 0)
    const order = ['two', 'one']
    expect(itemsWhere(o, { kind: 'detection', classId: 'car', outcome: 'fp' }, truths, detections, order)).toEqual(['one'])
    expect(itemsWhere(o, { kind: 'truth', classId: 'dog', outcome: 'confused', other: 'cat' }, truths, detections, order)).toEqual(['one'])
    expect(itemsWhere(o, { kind: 'truth', classId: 'cat', outcome: 'fn' }, truths, detections, order)).toEqual(['two'])
    expect(itemsWhere(o, { kind: 'detection', classId: 'person', outcome: 'ignored' }, truths, detections, order)).toEqual(['two'])
    expect(itemsWhere(o, { kind: 'detection', classId: 'dog', outcome: 'tp' }, truths, detections, order)).toEqual([])
  })

  test('a score threshold leaves out what scores below it; a truth its only match scored below is a miss', () => {
    const o = outcomesAt(evaluation(), truths, detections, 0, 0.95)
    expect(o.byItem.get('one')?.detections).toEqual([])
    expect(o.byItem.get('one')?.truths.map((g) => g.outcome)).toEqual(['fn', 'fn'])
    expect(o.matrix.counts[0]?.[4]).toBe(1)
  })
})
