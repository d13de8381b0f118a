import { type Box, type CocoAnnotation, type CocoCase, type CocoResult, type Segmentation, boxRle } from './coco.ts'
import { type Random, mulberry32, randomInt, round, shuffled, uniform } from './random.ts'

/** A case under construction: its PRNG, the ground-truth file and the results, filled one call at a time. */
export interface Draft {
  seed: number
  random: Random
  images: Map<number, { width: number; height: number }>
  categories: [id: number, name: string, supercategory: string][]
  annotations: CocoAnnotation[]
  annotationIds: Set<number>
  dt: CocoResult[]
}

export interface TruthOptions {
  /** The annotation's `area` field; w × h when absent. */
  area?: number
  crowd?: boolean
  segmentation?: Segmentation
  /** An explicit annotation id; otherwise a fresh random one (never 0: pycocotools reads a match to id 0 as no match). */
  id?: number
}

/** A new case with its categories, given as [id, name] or [id, name, supercategory]. */
export const newDraft = (seed: number, categories: ([number, string] | [number, string, string])[]): Draft => ({
  seed,
  random: mulberry32(seed),
  images: new Map(),
  categories: categories.map(([id, name, supercategory]) => [id, name, supercategory ?? 'thing']),
  annotations: [],
  annotationIds: new Set(),
  dt: [],
})

/** Adds an image and returns its id. */
export const addImage = (draft: Draft, id: number, width = 640, height = 480): number => {
  if (draft.images.has(id)) throw new RangeError(`image ${id} added twice`)
  draft.images.set(id, { width, height })
  return id
}

const annotationId = (draft: Draft, wanted: number | undefined): number => {
  let id = wanted ?? randomInt(draft.random, 1, 9_999_999)
  if (wanted !== undefined && (draft.annotationIds.has(id) || id < 1)) throw new RangeError(`annotation id ${id} is taken or not positive`)
  while (draft.annotationIds.has(id)) id = randomInt(draft.random, 1, 9_999_999)
  draft.annotationIds.add(id)
  return id
}

/** Adds a ground-truth box; crowd boxes get an RLE mask of the box unless one is given. */
export const addTruth = (draft: Draft, imageId: number, categoryId: number, bbox: Box, options: TruthOptions = {}): CocoAnnotation => {
  const image = draft.images.get(imageId)
  if (!image) throw new RangeError(`truth on unknown image ${imageId}`)
  const crowd = options.crowd ?? false
  const segmentation = options.segmentation ?? (crowd ? boxRle(bbox, image.width, image.height) : undefined)
  const annotation: CocoAnnotation = {
    id: annotationId(draft, options.id),
    image_id: imageId,
    category_id: categoryId,
    bbox,
    area: options.area ?? bbox[2] * bbox[3],
    iscrowd: crowd ? 1 : 0,
    ...(segmentation ? { segmentation } : {}),
  }
  draft.annotations.push(annotation)
  return annotation
}

/** Adds a detection to the results, after those already added (file order decides pycocotools' score ties). */
export const addDetection = (draft: Draft, imageId: number, categoryId: number, bbox: Box, score: number): void => {
  if (!draft.images.has(imageId)) throw new RangeError(`detection on unknown image ${imageId}`)
  draft.dt.push({ image_id: imageId, category_id: categoryId, bbox, score })
}

const clamp = (value: number, min: number, max: number): number => Math.min(Math.max(value, min), max)

/** The box kept 1 px inside its image (Strata clips boxes past the edge, pycocotools does not), to 2 decimals. */
export const insideImage = (draft: Draft, imageId: number, [x, y, w, h]: Box): Box => {
  const image = draft.images.get(imageId)
  if (!image) throw new RangeError(`box on unknown image ${imageId}`)
  const left = round(clamp(x, 1, image.width - 3), 2)
  const top = round(clamp(y, 1, image.height - 3), 2)
  return [left, top, round(clamp(w, 1, image.width - 1 - left), 2), round(clamp(h, 1, image.height - 1 - top), 2)]
}

/** The box moved and resized by up to `amount` px on each side, as a detector's imprecise box. */
export const jitter = (draft: Draft, imageId: number, [x, y, w, h]: Box, amount: number): Box => {
  const j = () => uniform(draft.random, -amount, amount)
  return insideImage(draft, imageId, [x + j(), y + j(), w + j(), h + j()])
}

/** A box at a random place with a log-uniform size (side about minSide to maxSide, aspect 1:2 to 2:1), inside the image. */
export const randomBox = (draft: Draft, imageId: number, minSide: number, maxSide: number): Box => {
  const image = draft.images.get(imageId)
  if (!image) throw new RangeError(`box on unknown image ${imageId}`)
  const side = Math.exp(uniform(draft.random, Math.log(minSide), Math.log(maxSide)))
  const aspect = Math.exp(uniform(draft.random, -Math.log(2), Math.log(2)))
  const [w, h] = [Math.min(side * Math.sqrt(aspect), image.width - 3), Math.min(side / Math.sqrt(aspect), image.height - 3)]
  return insideImage(draft, imageId, [uniform(draft.random, 1, image.width - 1 - w), uniform(draft.random, 1, image.height - 1 - h), w, h])
}

/** Detections given best first, written to the results in shuffled order with strictly falling scores. */
export const addRanked = (draft: Draft, ranked: [imageId: number, categoryId: number, box: Box][]): void => {
  const scored = ranked.map(([imageId, categoryId, box], rank) => ({ imageId, categoryId, box, score: round(1 - (rank + 1) / (ranked.length + 1), 6) }))
  for (const s of shuffled(draft.random, scored)) addDetection(draft, s.imageId, s.categoryId, s.box, s.score)
}

/** A shuffled copy that is never in ascending order when it has two or more distinct elements. */
const scrambled = <T>(random: Random, items: readonly T[], key: (item: T) => number): T[] => {
  const out = shuffled(random, items)
  const ascending = out.every((item, i) => i === 0 || key(out[i - 1] as T) <= key(item))
  return ascending ? out.reverse() : out
}

/** The finished case: images and categories listed out of id order, annotations and results in the order added. */
export const finishCase = (draft: Draft, name: string, description: string): CocoCase => {
  const images = [...draft.images].map(([id, { width, height }]) => ({ id, file_name: `${name}/${id}.jpg`, width, height }))
  const categories = draft.categories.map(([id, name, supercategory]) => ({ id, name, supercategory }))
  return {
    name,
    seed: draft.seed,
    description,
    gt: {
      info: { description: `Strata COCOeval oracle: ${name}`, version: '1' },
      images: scrambled(draft.random, images, (image) => image.id),
      categories: scrambled(draft.random, categories, (category) => category.id),
      annotations: draft.annotations,
    },
    dt: draft.dt,
  }
}
