import type { Box, CocoCase } from './coco.ts'
import { addDetection, addImage, addRanked, addTruth, finishCase, jitter, newDraft } from './draft.ts'
import { at, round, shuffled, uniform } from './random.ts'

const maxDets = (): CocoCase => {
  const d = newDraft(101, [[44, 'bottle', 'kitchen'], [7, 'cup', 'kitchen']])
  // 120 bottles, 150 detections: every third rank is a false positive in a gap of the grid; ranks 96–103 share one score.
  const crowded = addImage(d, 1000003, 1280, 960)
  const bottles = Array.from({ length: 120 }, (_, i) => addTruth(d, crowded, 44, [10 + (i % 12) * 100, 10 + Math.floor(i / 12) * 90, 60, 50]))
  const found = shuffled(d.random, bottles).slice(0, 100)
  const gaps = Array.from({ length: 50 }, (_, i): Box => [75 + (i % 12) * 100, 20 + Math.floor(i / 12) * 90, 12, 12])
  const ranks = Array.from({ length: 150 }, (_, rank) => (rank % 3 === 2 ? at(gaps, (rank - 2) / 3) : jitter(d, crowded, at(found, rank - Math.floor(rank / 3)).bbox, 3)))
  const score = (rank: number) => round(0.99 - (rank >= 96 && rank <= 103 ? 96 : rank) * 0.006, 3)
  for (const rank of shuffled(d.random, ranks.map((_, i) => i))) addDetection(d, crowded, 44, at(ranks, rank), score(rank))
  // 20 bottles, 14 detections: AR@10 keeps the 10 best of this image only.
  const shelf = addImage(d, 4, 640, 480)
  const shelfBottles = Array.from({ length: 20 }, (_, i) => addTruth(d, shelf, 44, [10 + (i % 5) * 120, 10 + Math.floor(i / 5) * 110, 70, 80]))
  shuffled(d.random, shelfBottles).slice(0, 12).forEach((b) => addDetection(d, shelf, 44, jitter(d, shelf, b.bbox, 4), round(uniform(d.random, 0.2, 0.95), 3)))
  addDetection(d, shelf, 44, [600, 450, 20, 20], 0.97)
  addDetection(d, shelf, 44, [5, 450, 25, 20], 0.96)
  // 101 cups found exactly plus 9 confident false positives: the top 100 hold 91 cups.
  const cupboard = addImage(d, 52, 1280, 960)
  const cups = Array.from({ length: 101 }, (_, i) => addTruth(d, cupboard, 7, [10 + (i % 11) * 110, 10 + Math.floor(i / 11) * 100, 40, 40]))
  addRanked(d, [
    ...Array.from({ length: 9 }, (_, i): [number, number, Box] => [cupboard, 7, [60 + i * 110, 60, 30, 30]]),
    ...cups.map((c): [number, number, Box] => [cupboard, 7, c.bbox]),
  ])
  // 5 cups with 6 detections each: AR@1 keeps one per image, AR@10 ten.
  const table = addImage(d, 9000, 800, 600)
  for (let i = 0; i < 5; i++) {
    const cup = addTruth(d, table, 7, [30 + i * 150, 200, 90, 110])
    for (let k = 0; k < 6; k++) addDetection(d, table, 7, jitter(d, table, cup.bbox, 4 + 6 * k), round(uniform(d.random, 0.1, 0.9), 3))
  }
  return finishCase(d, 'max-dets', 'More than 100 detections of one class in an image (150 and 110): only the 100 best per image and class count, for AP and AR@100; a score tie straddles rank 100 (file order decides); AR@1 and AR@10 truncate per image.')
}

const scoreTies = (): CocoCase => {
  const d = newDraft(202, [[90, 'cat', 'animal'], [3, 'dog', 'animal']])
  for (const id of [17, 4, 1000003, 256, 9]) addImage(d, id)
  const g = (imageId: number, categoryId: number, box: Box) => addTruth(d, imageId, categoryId, box).bbox
  const [a, b, c, dd, e, f, gg] = [g(17, 3, [50, 50, 100, 80]), g(4, 3, [20, 20, 50, 50]), g(4, 3, [300, 200, 120, 90]), g(1000003, 3, [100, 300, 80, 80]), g(256, 3, [10, 10, 200, 200]), g(256, 3, [300, 300, 50, 50]), g(9, 3, [200, 100, 60, 120])]
  const [h1, k1, k2, m1] = [g(17, 90, [100, 300, 50, 50]), g(4, 90, [450, 300, 80, 60]), g(4, 90, [100, 380, 60, 60]), g(256, 90, [400, 50, 90, 90])]
  g(9, 90, [20, 20, 100, 100])
  const away: Box = [560, 400, 40, 40]
  const shift = ([x, y, w, h]: Box, dx: number): Box => [x + dx, y, w, h]
  // Written in image order 1000003, 17, 256, 4, 9 (not id order); within an image the order is chosen.
  const rows: [number, number, Box, number][] = [
    [1000003, 3, shift(dd, 2), 0.6], [1000003, 3, away, 0.6], [1000003, 3, [300, 20, 40, 40], 0.3],
    [17, 3, away, 0.9], [17, 3, shift(a, 2), 0.9],
    [17, 90, shift(h1, 10), 0.5], [17, 90, h1, 0.5],
    [256, 3, away, 0.6], [256, 3, shift(e, 3), 0.3], [256, 3, shift(f, 1), 0.3],
    [256, 90, shift(m1, 4), 0.5], [256, 90, away, 0.5],
    [4, 3, shift(b, 1), 0.9], [4, 3, away, 0.9], [4, 3, shift(c, 5), 0.6],
    [4, 90, away, 0.5], [4, 90, shift(k1, 2), 0.5], [4, 90, shift(k2, 6), 0.5],
    [9, 3, shift(gg, 1), 0.9], [9, 3, shift(gg, 4), 0.3],
    [9, 90, [300, 300, 60, 60], 0.5],
  ]
  for (const [imageId, categoryId, box, score] of rows) addDetection(d, imageId, categoryId, box, score)
  return finishCase(d, 'score-ties', 'Equal scores within an image and across images, true and false positives tied (COCOeval orders ties by ascending image id, then by results-file order within an image); every cat detection scores 0.5; a tied pair on one cat where the first in file order has the lower IoU.')
}

const matchOrder = (): CocoCase => {
  const d = newDraft(303, [[12, 'box', 'thing'], [13, 'crate', 'thing']])
  // Two boxes at the same IoU (0.6) to the better detection: it takes the LAST of them in file order, not by id.
  const first = addImage(d, 31)
  addTruth(d, first, 12, [100, 100, 20, 10], { id: 500 })
  addTruth(d, first, 12, [110, 100, 20, 10], { id: 20 })
  addDetection(d, first, 12, [105, 100, 20, 10], 0.9)
  addDetection(d, first, 12, [110, 100, 20, 10], 0.8)
  const second = addImage(d, 8)
  addTruth(d, second, 12, [110, 200, 20, 10], { id: 7000 })
  addTruth(d, second, 12, [100, 200, 20, 10], { id: 41 })
  addDetection(d, second, 12, [105, 200, 20, 10], 0.9)
  addDetection(d, second, 12, [110, 200, 20, 10], 0.8)
  // Greedy by score: the better detection takes its best box, and the second finds no other (an optimal assignment would match both).
  const third = addImage(d, 5)
  addTruth(d, third, 13, [110, 50, 10, 10])
  addTruth(d, third, 13, [113, 50, 10, 10])
  addDetection(d, third, 13, [111, 50, 10, 10], 0.9)
  addDetection(d, third, 13, [108, 50, 10, 10], 0.8)
  // A second detection on a box already taken is a false positive, even with the higher IoU.
  addTruth(d, third, 13, [300, 300, 60, 40])
  addDetection(d, third, 13, [305, 300, 60, 40], 0.7)
  addDetection(d, third, 13, [300, 300, 60, 40], 0.6)
  return finishCase(d, 'match-order', 'Greedy matching in score order: among boxes of equal IoU a detection takes the last one in the file (ids are ordered against file order, so sorting by id is caught); no optimal assignment; a box already matched is not matched again.')
}

export const matchingCases = (): CocoCase[] => [maxDets(), scoreTies(), matchOrder()]
