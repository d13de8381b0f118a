import { type Box, type CocoCase, bbIou, diamond } from './coco.ts'
import { type Draft, addDetection, addImage, addTruth, finishCase, insideImage, jitter, newDraft, randomBox } from './draft.ts'
import { at, distinctIds, pick, randomInt, round, shuffled, uniform } from './random.ts'

const imageSizes: [number, number][] = [[640, 480], [1280, 720], [800, 600], [1024, 768]]

/** Class ids drawn with the given weights (so some classes are rare). */
const weighted = (d: Draft, ids: readonly number[], weights: readonly number[]): number => {
  let r = d.random() * weights.reduce((a, b) => a + b, 0)
  for (let i = 0; i < ids.length; i++) if ((r -= at(weights, i)) < 0) return at(ids, i)
  return at(ids, ids.length - 1)
}

/** Truth as annotation tools write it: mostly area = w × h, some polygon masks (area below w × h), a few crowds. */
const addSceneTruth = (d: Draft, imageId: number, categoryId: number, crowdRate: number): { bbox: Box; crowd: boolean } => {
  if (d.random() < crowdRate) {
    const bbox = randomBox(d, imageId, 120, 400)
    return { bbox: addTruth(d, imageId, categoryId, bbox, { crowd: true, area: round(bbox[2] * bbox[3] * 0.7, 2) }).bbox, crowd: true }
  }
  const bbox = randomBox(d, imageId, 6, 360)
  const shape = d.random()
  if (shape < 0.25) addTruth(d, imageId, categoryId, bbox, { area: round((bbox[2] * bbox[3]) / 2, 2), segmentation: diamond(bbox).map((p) => p.map((v) => round(v, 2))) })
  else if (shape < 0.4) addTruth(d, imageId, categoryId, bbox, { area: round(bbox[2] * bbox[3] * uniform(d.random, 0.6, 0.98), 2) })
  else addTruth(d, imageId, categoryId, bbox, { area: round(bbox[2] * bbox[3], 2) })
  return { bbox, crowd: false }
}

interface Detector {
  recall: number
  /** Jitter as a fraction of the box's smaller side. */
  looseness: number
  duplicateRate: number
  confusionRate: number
  falsePositives: [min: number, max: number]
  scoreDecimals: number
}

/** A simulated detector on one image: jittered truth (score follows IoU), duplicates, wrong classes, background boxes. */
const detect = (d: Draft, imageId: number, truths: { bbox: Box; categoryId: number; crowd: boolean }[], classIds: number[], detector: Detector): void => {
  const out: [number, Box, number][] = []
  const score = (quality: number) => round(Math.min(0.999, Math.max(0.001, 0.25 + 0.7 * quality + uniform(d.random, -0.2, 0.2))), detector.scoreDecimals)
  for (const { bbox, categoryId, crowd } of truths) {
    if (crowd) {
      for (let k = randomInt(d.random, 1, 4); k > 0; k--) {
        const part = insideImage(d, imageId, [bbox[0] + uniform(d.random, 0, bbox[2] / 2), bbox[1] + uniform(d.random, 0, bbox[3] / 2), bbox[2] / 3, bbox[3] / 3])
        out.push([categoryId, part, score(uniform(d.random, 0, 0.8))])
      }
      continue
    }
    if (d.random() > detector.recall) continue
    const category = d.random() < detector.confusionRate ? pick(d.random, classIds) : categoryId
    const side = Math.min(bbox[2], bbox[3])
    const box = jitter(d, imageId, bbox, side * detector.looseness * d.random())
    out.push([category, box, score(bbIou(box, bbox, false))])
    if (d.random() < detector.duplicateRate) out.push([category, jitter(d, imageId, bbox, side * detector.looseness * 2), score(0.3 * d.random())])
  }
  for (let k = randomInt(d.random, ...detector.falsePositives); k > 0; k--) out.push([pick(d.random, classIds), randomBox(d, imageId, 8, 300), score(0.5 * d.random())])
  for (const [categoryId, box, s] of shuffled(d.random, out)) addDetection(d, imageId, categoryId, box, s)
}

interface Scene {
  seed: number
  images: number
  classes: [number, string][]
  weights: number[]
  truthsPerImage: [min: number, max: number]
  crowdRate: number
  detector: Detector
}

const simulate = (scene: Scene, name: string, description: string): CocoCase => {
  const d = newDraft(scene.seed, scene.classes)
  const classIds = scene.classes.map(([id]) => id)
  for (const id of distinctIds(d.random, scene.images, 9_999_999)) {
    const imageId = addImage(d, id, ...pick(d.random, imageSizes))
    const truths = Array.from({ length: randomInt(d.random, ...scene.truthsPerImage) }, () => {
      const categoryId = weighted(d, classIds, scene.weights)
      return { ...addSceneTruth(d, imageId, categoryId, scene.crowdRate), categoryId }
    })
    detect(d, imageId, truths, classIds, scene.detector)
  }
  return finishCase(d, name, description)
}

const dense = (): CocoCase =>
  simulate(
    {
      seed: 1111,
      images: 200,
      classes: [[17, 'bicycle'], [2, 'person'], [64, 'dog'], [5, 'car'], [90, 'truck'], [11, 'traffic light'], [40, 'bench'], [23, 'bird']],
      weights: [0.12, 0.3, 0.06, 0.2, 0.1, 0.1, 0.08, 0.04],
      truthsPerImage: [1, 30],
      crowdRate: 0.02,
      detector: { recall: 0.88, looseness: 0.25, duplicateRate: 0.08, confusionRate: 0.04, falsePositives: [0, 5], scoreDecimals: 3 },
    },
    'dense',
    'A realistic set: 200 images in four sizes, 8 classes of skewed frequency, 1–30 truth boxes per image of every size, 2% crowd, some polygon areas; a detector that finds 88%, jitters boxes (score follows IoU), duplicates, confuses classes and adds background boxes, scores to 3 decimals.',
  )

const overlapping = (): CocoCase =>
  simulate(
    {
      seed: 1212,
      images: 40,
      classes: [[6, 'sheep'], [31, 'cow'], [8, 'horse'], [77, 'goat']],
      weights: [1, 1, 1, 1],
      truthsPerImage: [3, 40],
      crowdRate: 0.05,
      detector: { recall: 0.8, looseness: 0.6, duplicateRate: 0.2, confusionRate: 0.1, falsePositives: [0, 8], scoreDecimals: 1 },
    },
    'random-overlap',
    'Random herds: 3–40 boxes per image overlapping each other, 5% crowd, a loose detector (IoU spread over all thresholds, many duplicates, 10% wrong class) with scores to 1 decimal, so ties are everywhere.',
  )

const sparse = (): CocoCase =>
  simulate(
    {
      seed: 1313,
      images: 60,
      classes: [[13, 'stop sign'], [52, 'banana'], [3, 'car'], [88, 'teddy bear'], [25, 'giraffe']],
      weights: [3, 2, 2, 1, 1],
      truthsPerImage: [0, 3],
      crowdRate: 0,
      detector: { recall: 0.7, looseness: 0.3, duplicateRate: 0.1, confusionRate: 0.15, falsePositives: [0, 3], scoreDecimals: 2 },
    },
    'random-sparse',
    'Random sparse set: 60 images with 0–3 boxes, many with none, 0–3 background detections each, scores to 2 decimals.',
  )

export const simulatedCases = (): CocoCase[] => [dense(), overlapping(), sparse()]
