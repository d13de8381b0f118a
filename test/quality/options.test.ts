import { describe, expect, test } from 'vitest'
import { evaluate } from '../../src/quality/index.ts'

// One truth [0,0,10,10]; a detection [0,0,20,5] overlaps it by 50 over a union of 150: IoU 1/3.
// Another, [0,0,10,20], by 100 over 200: IoU exactly 0.5.
const truth = { items: ['a'], classes: ['car'], boxes: [{ itemId: 'a', classId: 'car', bbox: [0, 0, 10, 10] as [number, number, number, number] }] }
const at = (bbox: [number, number, number, number]) => [{ itemId: 'a', classId: 'car', bbox, score: 0.9 }]

describe('departures from COCOeval are opt-in', () => {
  test('IoU slack: off, a box a hair below 0.5 misses; with slack it hits', () => {
    // [0,0,10,20.000001]: IoU a hair under 0.5.
    const hair = at([0, 0, 10, 20.000001])
    expect(evaluate(truth, hair, { iou: 0.5, score: 0 }).overall.ap50).toBe(0)
    expect(evaluate(truth, hair, { iou: 0.5, score: 0, iouSlack: 1e-6 }).overall.ap50).toBeCloseTo(1, 12)
    expect(evaluate(truth, at([0, 0, 10, 20]), { iou: 0.5, score: 0 }).overall.ap50).toBeCloseTo(1, 12)
  })

  test('11-point AP reads 11 recall points, COCO 101', () => {
    // Two truths, one found at precision 1: recall 0.5. COCO: 51 of 101 points read 1; VOC: 6 of 11.
    const two = { ...truth, boxes: [...truth.boxes, { itemId: 'a', classId: 'car', bbox: [50, 50, 10, 10] as [number, number, number, number] }] }
    const coco = evaluate(two, at([0, 0, 10, 10]), { iou: 0.5, score: 0 })
    const voc = evaluate(two, at([0, 0, 10, 10]), { iou: 0.5, score: 0, interpolation: 'voc11' })
    expect(coco.overall.ap50).toBeCloseTo(51 / 101, 12)
    expect(voc.overall.ap50).toBeCloseTo(6 / 11, 12)
    expect(voc.overall.curve).toHaveLength(11)
  })
})
