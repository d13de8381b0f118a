import { type Box, type CocoCase, bbIou } from './coco.ts'
import { type Draft, addDetection, addImage, addRanked, addTruth, finishCase, newDraft } from './draft.ts'
import { at, distinctIds, randomInt, round, shuffled, uniform } from './random.ts'

/** COCOeval's IoU thresholds as numpy's linspace(.5, .95, 10) builds them: the ninth is 0.8999999999999999. */
export const iouThresholds = Array.from({ length: 10 }, (_, i) => (i === 9 ? 0.95 : i * ((0.95 - 0.5) / 9) + 0.5))

/** A hair: exact in binary, so the JSON carries it unchanged. */
const hair = 2 ** -20

type Pair = [categoryId: number, truth: Box, detection: Box]

/** Integer pairs at IoU exactly k/20: a detection inside its box (w = k of 20), or shifted (W = 20 + k, shift 20 − k). */
const exactPairs = (d: Draft): Pair[] => {
  const pairs: Pair[] = []
  for (let k = 10; k <= 19; k++) {
    const h = at([10, 40, 110], k % 3)
    const [x, y] = [randomInt(d.random, 1, 300), randomInt(d.random, 1, 300)]
    pairs.push([21, [x, y, 20, h], [x, y, k, h]], [21, [x, y, 20, h], [x, y, k - hair, h]])
    if (k % 5 === 0 || k === 19) pairs.push([21, [x, y, 20, h], [x, y, k + hair, h]])
    const m = randomInt(d.random, 1, 4)
    pairs.push([60, [x, y, m * (20 + k), h], [x + m * (20 - k), y, m * (20 + k), h]])
  }
  return pairs
}

/**
 * Pairs with 2-decimal coordinates whose IoU is k/20 in exact arithmetic; in floating point bbIou lands a few ulps
 * off, so for each threshold keep one below it, one exactly on it and one above it when the search finds them.
 */
const floatPairs = (d: Draft): Pair[] => {
  const pairs: Pair[] = []
  iouThresholds.forEach((threshold, t) => {
    const k = 10 + t
    const found = new Map<string, Pair>()
    for (let attempt = 0; attempt < 20_000 && found.size < 3; attempt++) {
      const unit = round(uniform(d.random, 0.5, 6), 2)
      const [x, y, h] = [round(uniform(d.random, 1, 300), 2), round(uniform(d.random, 1, 300), 2), round(uniform(d.random, 5, 150), 2)]
      const truth: Box = [x, y, round((20 + k) * unit, 2), h]
      const detection: Box = [round(x + (20 - k) * unit, 2), y, truth[2], h]
      const iou = bbIou(detection, truth, false)
      const side = iou < threshold ? 'below' : iou === threshold ? 'on' : 'above'
      if (Math.abs(iou - threshold) < 1e-12 && !found.has(side)) found.set(side, [21, truth, detection])
    }
    if (!found.has('below') || (!found.has('on') && !found.has('above'))) throw new RangeError(`no float pairs around IoU ${threshold}`)
    pairs.push(...found.values())
  })
  return pairs
}

const iouThresholdCase = (): CocoCase => {
  const d = newDraft(404, [[60, 'donut', 'food'], [21, 'kite', 'sports']])
  const pairs = [...exactPairs(d), ...floatPairs(d)]
  const imageIds = distinctIds(d.random, pairs.length + 1, 5_000_000)
  const ranked: [number, number, Box][] = pairs.map(([categoryId, truth, detection], i) => {
    const imageId = addImage(d, at(imageIds, i))
    addTruth(d, imageId, categoryId, truth)
    return [imageId, categoryId, detection]
  })
  addRanked(d, shuffled(d.random, ranked))
  // One donut, two detections: the better-scored is a hair under 0.75, the other exactly 0.75.
  const last = addImage(d, at(imageIds, pairs.length))
  addTruth(d, last, 60, [100, 100, 70, 10])
  addDetection(d, last, 60, [110 + hair, 100, 70, 10], 0.99)
  addDetection(d, last, 60, [110, 100, 70, 10], 0.98)
  return finishCase(d, 'iou-thresholds', 'One truth and one detection per image at IoU exactly k/20 for every threshold (integer boxes, contained and shifted), a hair (2^-20 px) below and above, and 2-decimal boxes whose float IoU lands just below, on or above each threshold as numpy builds them (0.8999999999999999 for the ninth); IoU >= threshold is a match.')
}

/** TPs on every truth box with three false positives after each listed recall count, scores falling. */
const rankedAtRecalls = (d: Draft, truths: [number, Box][], categoryId: number, afterTp: number[]): [number, number, Box][] => {
  const ranked: [number, number, Box][] = []
  shuffled(d.random, truths).forEach(([imageId, box], i) => {
    ranked.push([imageId, categoryId, box])
    if (afterTp.includes(i + 1)) for (let f = 0; f < 3; f++) ranked.push([imageId, categoryId, [randomInt(d.random, 1, 580), 420, 40, 30]])
  })
  return ranked
}

const recallPointCase = (): CocoCase => {
  const d = newDraft(505, [[38, 'pear', 'food'], [33, 'apple', 'food'], [35, 'orange', 'food']])
  const images = distinctIds(d.random, 6, 900_000).map((id) => addImage(d, id))
  let slot = 0
  const place = (categoryId: number, count: number): [number, Box][] =>
    Array.from({ length: count }, () => {
      const imageId = at(images, slot % images.length)
      const cell = Math.floor(slot++ / images.length)
      const box: Box = [10 + (cell % 6) * 100, 10 + Math.floor(cell / 6) * 100, 50, 40]
      addTruth(d, imageId, categoryId, box)
      return [imageId, box]
    })
  const [apples, oranges, pears] = [place(33, 100), place(35, 10), place(38, 20)]
  addRanked(d, [
    ...rankedAtRecalls(d, apples, 33, [35, 41, 47, 57, 69, 70, 82, 83, 94, 95]),
    ...rankedAtRecalls(d, oranges, 35, [7]),
    ...rankedAtRecalls(d, pears, 38, [7, 14, 19]),
  ])
  return finishCase(d, 'recall-points', 'Recall reaching exactly k/100 where numpy.linspace(0, 1, 101) puts the recall point a hair above k/100 (k = 35, 41, 47, 57, 69, 70, 82, 83, 94, 95): 100 apples, 10 oranges (0.7), 20 pears (0.35, 0.7, 0.95), with three false positives right after each such recall, so reading the point at the next true positive changes AP.')
}

export const thresholdCases = (): CocoCase[] => [iouThresholdCase(), recallPointCase()]
