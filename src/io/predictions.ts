import type { BBox, ClassId, ClassJson, ItemId, ItemJson } from '../domain/index.ts'
import { type CocoDataset, asBBox, insideImage } from './coco.ts'
import { nameIndex } from './cocoImport.ts'
import { isObject } from './json.ts'
import { type Result, fail, listProblems, ok } from './result.ts'

/**
 * One prediction as a run's blob stores it: COCO results with `image_id` = item id and
 * `category_id` = class id, so a run reads on its own, whatever file it came from.
 */
export interface StoredPrediction {
  image_id: ItemId
  category_id: ClassId
  bbox: BBox
  score: number
}

/** What a predictions import found. */
export interface PredictionsReport {
  count: number
  images: number
  /** Predictions naming images that are not in the project (not stored). */
  skipped: number
  skippedImages: string[]
}

/** What predictions are matched against: the project's items and classes (a worker gets only these). */
export interface PredictionTarget {
  items: Array<Pick<ItemJson, 'id' | 'name' | 'width' | 'height'>>
  classes: Array<Pick<ClassJson, 'id' | 'name'>>
}
type TargetItem = PredictionTarget['items'][number]

type Lookup = { items: Map<string, TargetItem>; classes: Map<string, ClassId>; referenceNames: Map<string, string> }

/**
 * How the file's ids are read: Strata ids (what the app and `toCocoResults` of a run with
 * Strata ids write) always; with a `reference` COCO file (the dataset's annotations or a
 * Strata export), its image ids by `strata_id` then `file_name`, its category ids by
 * `strata_id` then name.
 */
const lookup = (project: PredictionTarget, reference?: CocoDataset): Lookup => {
  const items = new Map<string, TargetItem>(project.items.map((i) => [i.id, i]))
  const classes = new Map<string, ClassId>(project.classes.map((c) => [c.id, c.id]))
  const referenceNames = new Map<string, string>()
  if (!reference) return { items, classes, referenceNames }
  const byName = nameIndex(project.items)
  for (const image of reference.images) {
    const named = byName(image.file_name)
    const found = (image.strata_id === undefined ? undefined : items.get(image.strata_id)) ?? (named.length === 1 ? items.get(named[0] as string) : undefined)
    if (found) items.set(String(image.id), found)
  }
  const classByName = new Map(project.classes.map((c) => [c.name, c.id]))
  for (const c of reference.categories) {
    referenceNames.set(String(c.id), c.name)
    const found = (c.strata_id === undefined ? undefined : classes.get(c.strata_id)) ?? classByName.get(c.name)
    if (found) classes.set(String(c.id), found)
  }
  return { items, classes, referenceNames }
}

const isId = (v: unknown): v is number | string => typeof v === 'number' || (typeof v === 'string' && v !== '')

/** Checks a COCO results file and rewrites it in Strata's ids; refuses it whole when any row is bad. */
export const preparePredictions = (
  project: PredictionTarget, json: unknown, reference?: CocoDataset, what = 'The predictions file',
): Result<{ predictions: StoredPrediction[]; report: PredictionsReport }> => {
  if (!Array.isArray(json)) return fail(`${what} is not a COCO results list ([{ image_id, category_id, bbox, score }, …])`)
  const { items, classes, referenceNames } = lookup(project, reference)
  const problems: string[] = []
  const unknownCategories = new Set<string>()
  const skippedImages = new Set<string>()
  const seenImages = new Set<string>()
  const predictions: StoredPrediction[] = []
  let skipped = 0
  for (let i = 0; i < json.length && problems.length < 50; i++) {
    const row: unknown = json[i]
    if (!isObject(row) || !isId(row.image_id) || !isId(row.category_id)) {
      problems.push(`row ${i} needs image_id and category_id`)
      continue
    }
    const bbox = asBBox(row.bbox)
    if (!bbox) problems.push(`row ${i} needs a bbox [x, y, w, h] of finite numbers with positive width and height`)
    const score = row.score
    if (typeof score !== 'number' || !(score >= 0 && score <= 1)) problems.push(`row ${i} needs a score between 0 and 1, got ${JSON.stringify(score) ?? 'nothing'}`)
    const classId = classes.get(String(row.category_id))
    if (!classId) unknownCategories.add(String(row.category_id))
    const item = items.get(String(row.image_id))
    if (!item) {
      skipped++
      skippedImages.add(String(row.image_id))
      continue
    }
    if (!bbox || !classId || typeof score !== 'number') continue
    if (!insideImage(bbox, item.width, item.height)) {
      problems.push(`row ${i}: the box [${bbox.join(', ')}] lies outside "${item.name}" (${item.width} x ${item.height})`)
      continue
    }
    seenImages.add(item.id)
    predictions.push({ image_id: item.id, category_id: classId, bbox, score })
  }
  if (unknownCategories.size) {
    const named = [...unknownCategories].map((id) => (referenceNames.has(id) ? `${id} ("${referenceNames.get(id)}")` : id))
    problems.unshift(`category_id ${listProblems(named, 5)} ${named.length > 1 ? 'are not classes' : 'is not a class'} of the project; add the class or give the COCO file the ids come from`)
  }
  if (problems.length) return fail(`${what} was not imported: ${listProblems(problems)}`)
  if (json.length > 0 && predictions.length === 0) {
    return fail(`${what} was not imported: none of its ${json.length} predictions names an image of the project (image_id ${[...skippedImages].slice(0, 3).join(', ')}…); give the COCO file these ids come from, so they can be matched by file_name`)
  }
  return ok({ predictions, report: { count: predictions.length, images: seenImages.size, skipped, skippedImages: [...skippedImages].slice(0, 5) } })
}

/** The smallest part of a project that predictions are matched against. */
export const predictionTarget = (p: PredictionTarget): PredictionTarget => ({
  items: p.items.map(({ id, name, width, height }) => ({ id, name, width, height })),
  classes: p.classes.map(({ id, name }) => ({ id, name })),
})

/** The blob text of a run: the normalised predictions as JSON. */
export const runText = (predictions: StoredPrediction[]): string => JSON.stringify(predictions)

/** Reads a run's blob back; rows in another shape (an older or foreign writer) are left out. */
export const readRunBlob = (json: unknown): StoredPrediction[] => {
  if (!Array.isArray(json)) return []
  const out: StoredPrediction[] = []
  for (const row of json as unknown[]) {
    if (!isObject(row) || typeof row.image_id !== 'string' || typeof row.category_id !== 'string' || typeof row.score !== 'number') continue
    const bbox = asBBox(row.bbox)
    if (bbox) out.push({ image_id: row.image_id as ItemId, category_id: row.category_id as ClassId, bbox, score: row.score })
  }
  return out
}

/** The report as a line a person reads. */
export const describePredictions = (r: PredictionsReport): string =>
  `${r.count} predictions on ${r.images} images` +
  (r.skipped ? `; ${r.skipped} skipped because their images are not in the project (image_id ${r.skippedImages.join(', ')}${r.skipped > r.skippedImages.length ? ', …' : ''})` : '')
