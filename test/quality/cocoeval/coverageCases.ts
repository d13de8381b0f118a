import type { Box, CocoCase } from './coco.ts'
import { type Draft, addDetection, addImage, addRanked, addTruth, finishCase, jitter, newDraft, randomBox } from './draft.ts'
import { at, distinctIds, pick, round, shuffled, uniform } from './random.ts'

const score = (d: Draft): number => round(uniform(d.random, 0.05, 0.99), 2)

const crowdCase = (): CocoCase => {
  const d = newDraft(606, [[48, 'umbrella', 'accessory'], [11, 'person', 'person'], [31, 'bag', 'accessory']])
  const street = addImage(d, 600)
  addTruth(d, street, 11, [100, 100, 200, 200], { crowd: true, area: 30000 })
  for (const box of [[400, 100, 60, 120], [250, 250, 40, 40], [130, 130, 40, 60]] as Box[]) addTruth(d, street, 11, box)
  const people: [Box, number][] = [
    [[402, 102, 60, 118], 0.95], // the first person
    [[120, 120, 30, 30], 0.93], // four inside the crowd: ignored, whatever their size
    [[200, 130, 50, 50], 0.925],
    [[150, 200, 20, 40], 0.92],
    [[110, 110, 180, 180], 0.91],
    [[131, 131, 40, 60], 0.9], // the person inside the crowd (IoU 0.92; above that the crowd takes it)
    [[131, 131, 40, 60], 0.89], // its duplicate: that person is taken, so the crowd takes it and it is ignored, not a false positive
    [[254, 250, 40, 40], 0.88], // IoU 0.818 with a person, 1 with the crowd: the person wins up to 0.8, the crowd above
    [[280, 150, 40, 20], 0.87], // half inside the crowd: i / area(dt) = 0.5 exactly, ignored at 0.5 only
    [[282, 150, 40, 20], 0.86], // 0.45 inside: a false positive
    [[500, 300, 50, 50], 0.85],
  ]
  for (const [box, s] of people) addDetection(d, street, 11, box, s)
  addTruth(d, street, 48, [450, 300, 100, 80])
  addTruth(d, street, 48, [420, 280, 200, 150], { crowd: true })
  addDetection(d, street, 48, [450, 300, 100, 80], 0.7)
  addDetection(d, street, 48, [452, 302, 100, 80], 0.6)
  addDetection(d, street, 48, [430, 290, 20, 20], 0.65)
  const square = addImage(d, 7, 800, 600)
  addTruth(d, square, 11, [1, 1, 400, 300], { crowd: true, area: 80000 })
  addTruth(d, square, 11, [500, 350, 80, 160])
  addTruth(d, square, 48, [100, 400, 50, 50])
  for (const [box, s] of [[[20, 30, 60, 150], 0.8], [[200, 100, 90, 180], 0.7], [[300, 20, 50, 50], 0.6], [[503, 348, 80, 158], 0.75], [[600, 50, 60, 60], 0.65], [[381, 100, 40, 40], 0.64]] as [Box, number][]) addDetection(d, square, 11, box, s)
  const hall = addImage(d, 91)
  addTruth(d, hall, 31, [50, 50, 300, 300], { crowd: true, area: 900 })
  addDetection(d, hall, 31, [60, 60, 50, 50], 0.9)
  addDetection(d, hall, 31, [200, 200, 100, 100], 0.4)
  addDetection(d, hall, 31, [500, 50, 60, 60], 0.5)
  addTruth(d, hall, 48, [1, 1, 100, 100], { crowd: true })
  addTruth(d, hall, 48, [50, 50, 100, 100], { crowd: true })
  addTruth(d, hall, 48, [400, 300, 120, 90])
  addDetection(d, hall, 48, [60, 60, 30, 30], 0.8)
  addDetection(d, hall, 48, [402, 301, 118, 90], 0.55)
  return finishCase(d, 'crowd', 'Crowd truth (iscrowd 1): a detection matched to it is ignored, neither hit nor miss; IoU against crowd is i / area(dt); ordinary truth is tried first even at a lower IoU; a crowd box takes any number of detections, including the duplicate of a matched box; crowd boxes never count as truth to find (bag has only crowd truth, so it has no AP); `area` of crowd truth does not matter.')
}

const emptyImagesCase = (): CocoCase => {
  const d = newDraft(707, [[19, 'bus', 'vehicle'], [5, 'car', 'vehicle']])
  const ids = distinctIds(d.random, 12, 3_000_000).map((id) => addImage(d, id, 640, 480))
  const truths = (imageId: number, count: number): Box[] =>
    Array.from({ length: count }, () => addTruth(d, imageId, pick(d.random, [5, 19]), randomBox(d, imageId, 20, 200))).map((a) => a.bbox)
  ids.forEach((imageId, i) => {
    if (i < 4) return // neither truth nor detections
    if (i < 7) return void truths(imageId, 2) // truth, no detections
    const found = i < 10 ? [] : truths(imageId, 3)
    for (const box of found) addDetection(d, imageId, 5, jitter(d, imageId, box, 6), score(d))
    for (let k = 0; k < 2; k++) addDetection(d, imageId, pick(d.random, [5, 19]), randomBox(d, imageId, 20, 200), score(d))
  })
  const mixed = addImage(d, 1_000_001)
  addTruth(d, mixed, 5, [40, 40, 120, 80])
  addDetection(d, mixed, 19, [40, 40, 120, 80], 0.9)
  return finishCase(d, 'empty-images', 'Images with neither truth nor detections, with truth and no detections, with detections and no truth, and one whose car has no detection and whose bus detection has no truth; detected classes are not always right.')
}

const classCoverageCase = (): CocoCase => {
  const d = newDraft(808, [[81, 'bus', 'vehicle'], [3, 'car', 'vehicle'], [56, 'tram', 'vehicle'], [14, 'truck', 'vehicle'], [42, 'scooter', 'vehicle'], [27, 'bicycle', 'vehicle']])
  const ids = distinctIds(d.random, 8, 60_000).map((id) => addImage(d, id, 800, 600))
  for (const imageId of ids) {
    for (const categoryId of [3, 14]) {
      const boxes = Array.from({ length: 3 }, () => addTruth(d, imageId, categoryId, randomBox(d, imageId, 15, 300)).bbox)
      for (const box of boxes.slice(1)) addDetection(d, imageId, categoryId, jitter(d, imageId, box, 8), score(d))
      addDetection(d, imageId, categoryId, randomBox(d, imageId, 15, 300), score(d))
    }
    addTruth(d, imageId, 27, randomBox(d, imageId, 20, 200)) // bicycles: truth, never detected
    addDetection(d, imageId, 42, randomBox(d, imageId, 20, 200), score(d)) // scooters: detected, no truth
    const bus = addTruth(d, imageId, 81, randomBox(d, imageId, 8, 25), { area: round(uniform(d.random, 50, 1000), 2) }).bbox
    addDetection(d, imageId, 81, jitter(d, imageId, bus, 2), score(d))
    addDetection(d, imageId, 81, randomBox(d, imageId, 40, 200), score(d)) // medium and large false positives, no medium or large truth
  }
  return finishCase(d, 'class-coverage', 'Cars and trucks with truth and detections; bicycles with truth and no detections (AP 0, averaged in); scooters with detections and no truth (AP -1, left out); trams with neither (-1); buses with small truth only, so their medium and large AP/AR are -1 while their false positives there cost nothing.')
}

const emptyResultsCase = (): CocoCase => {
  const d = newDraft(909, [[70, 'toaster', 'appliance'], [15, 'bench', 'outdoor'], [8, 'boat', 'vehicle']])
  const ids = distinctIds(d.random, 6, 400_000).map((id) => addImage(d, id, 1024, 768))
  ids.forEach((imageId, i) => {
    for (let k = 0; k < 3; k++) addTruth(d, imageId, pick(d.random, [8, 15]), randomBox(d, imageId, 10, 400))
    if (i === 0) addTruth(d, imageId, 8, randomBox(d, imageId, 100, 300), { crowd: true })
  })
  return finishCase(d, 'empty-results', 'An empty results file: every class with truth scores 0, the toaster (no truth) -1. pycocotools loadRes refuses an empty list, so cocoeval.py builds the empty results set itself.')
}

/** Truth sizes as [w, h, area field]: boundaries 32² and 96² are in both neighbouring ranges; area, not w × h, decides. */
const truthSizes: [number, number, number?][] = [
  [20, 20], [32, 32], [96, 96], [40, 40, 900], [20, 20, 2000], [100, 100, 9000], [200, 150], [30, 30, 1024],
  [32, 32, 1023.9999], [32, 32, 1024.0001], [96, 96, 9216.5], [150, 120, 9215],
]
/** Unmatched detection sizes (area w × h): 1024 and 9216 count in both neighbouring ranges. */
const falsePositiveSizes: [number, number][] = [[32, 32], [96, 96], [31.5, 32], [32, 32.03125], [96.5, 96], [25.6, 40], [5, 5], [220, 200]]

const areaRangesCase = (): CocoCase => {
  const d = newDraft(1010, [[9, 'sign', 'outdoor'], [2, 'car', 'vehicle']])
  const images = [303, 12, 77777].map((id) => addImage(d, id, 1000, 800))
  let slot = 0
  const next = (w: number, h: number): [number, Box] => {
    const imageId = at(images, Math.floor(slot / 12))
    const cell = slot++ % 12
    return [imageId, [20 + (cell % 4) * 240, 20 + Math.floor(cell / 4) * 240, w, h]]
  }
  const detections: [number, number, Box][] = []
  for (const [w, h, area] of truthSizes) {
    const [imageId, box] = next(w, h)
    addTruth(d, imageId, 2, box, area === undefined ? {} : { area })
    detections.push([imageId, 2, box])
    if (area === 900) detections.push([imageId, 2, box]) // a second detection on truth outside medium: a false positive in medium
  }
  for (const [w, h] of [[10, 12], [120, 120]] as const) {
    const [imageId, box] = next(w, h)
    addTruth(d, imageId, 2, box) // never detected
  }
  for (const [w, h] of falsePositiveSizes) {
    const [imageId, box] = next(w, h)
    detections.push([imageId, 2, box])
  }
  for (const [w, h] of [[60, 50], [150, 110], [45, 40]] as const) {
    const [imageId, box] = next(w, h)
    addTruth(d, imageId, 9, box)
    detections.push([imageId, 9, jitter(d, imageId, box, 3)])
  }
  const [signImage, signBox] = next(70, 70)
  detections.push([signImage, 9, signBox])
  addRanked(d, shuffled(d.random, detections))
  // Small truth (area 900) and medium truth overlap; the detection prefers whichever is in range, the small one in "all".
  const [pairImage, [x, y]] = next(0, 0)
  addTruth(d, pairImage, 2, [x, y, 30, 30], { area: 900 })
  addTruth(d, pairImage, 2, [x + 5, y, 40, 40])
  addDetection(d, pairImage, 2, [x + 2, y, 34, 34], 0.995)
  addDetection(d, pairImage, 2, [x + 5, y, 40, 40], 0.994)
  return finishCase(d, 'area-ranges', 'Small (< 32²), medium and large (> 96²) truth and detections; truth is ranged by its `area` field (set unlike w × h on some), detections by w × h; areas exactly 32² and 96² fall in both neighbouring ranges (bounds inclusive); truth outside a range is ignored there and a detection matched to it is ignored, once; unmatched detections outside the range are ignored.')
}

export const coverageCases = (): CocoCase[] => [crowdCase(), emptyImagesCase(), classCoverageCase(), emptyResultsCase(), areaRangesCase()]
