import { describe, expect, test } from 'vitest'
import { departures, describeSelection, markText } from '../../src/ui/qualityWords.ts'

const name = (id: string): string => ({ c1: 'car', c2: 'dog' })[id] ?? id

describe('what a count, a cell and a mark say', () => {
  test('selections in words, as the grid filter shows them', () => {
    expect(describeSelection({ kind: 'detection', classId: 'c1', outcomes: ['fp', 'confused'] }, name)).toBe('False positives of car')
    expect(describeSelection({ kind: 'detection', classId: 'c1', outcomes: ['confused'], other: 'c2' }, name)).toBe('dog predicted as car')
    expect(describeSelection({ kind: 'detection', classId: 'c1', outcomes: ['fp'] }, name)).toBe('False positives of car on background')
    expect(describeSelection({ kind: 'truth', classId: '', outcomes: ['fn', 'confused'] }, name)).toBe('False negatives of all classes')
    expect(describeSelection({ kind: 'truth', classId: 'c2', outcomes: ['fn'] }, name)).toBe('dog missed (predicted as background)')
  })

  test('departures from COCOeval are named; none by default', () => {
    expect(departures({ iou: 0.5, score: 0.5 })).toEqual([])
    expect(departures({ iou: 0.5, score: 0.5, iouSlack: 1e-9, interpolation: 'voc11' })).toEqual(['IoU slack 1e-9 (a match up to this far below the IoU threshold counts)', '11-point AP (Pascal VOC / Encord Active)'])
  })

  test('a marked box in words', () => {
    expect(markText({ kind: 'detection', classId: 'c1', bbox: [0, 0, 1, 1], score: 0.5, outcome: 'fp' }, name)).toBe('Prediction car 0.50: FP, false positive')
    expect(markText({ kind: 'truth', classId: 'c2', bbox: [0, 0, 1, 1], outcome: 'confused', other: 'c1' }, name)).toBe('Label dog: C, predicted as car (counts as FN)')
  })
})
