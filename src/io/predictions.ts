import type { BBox, ClassId, ItemId } from '../domain/index.ts'
import { type CocoDataset, asBBox, asWritten } from './coco.ts'
import { isObject } from './json.ts'
import { type Lookup, type PredictionTarget, predictionLookup } from './predictionLookup.ts'
import { type Result, fail, listProblems, ok } from './result.ts'

export type { PredictionTarget } from './predictionLookup.ts'

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
  /** Predictions naming images the reference file knows but the project lacks (not stored). */
  skipped: number
  skippedImages: string[]
  /** Boxes partly outside their image, cut to it. */
  clipped: number
  /** Boxes with no area left inside their image (outside it, or of zero size): not stored. */
  dropped: number
}

const isId = (v: unknown): v is number | string => typeof v === 'number' || (typeof v === 'string' && v !== '')

/** A box's four numbers as written, or null when they are not four finite numbers. */
const boxNumbers = (v: unknown): BBox | null =>
  Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n)) ? (v as BBox) : null

/**
 * A box cut to its image, as detectors are sloppy at the edges: null when nothing of it is
 * inside (or it has no size). COCOeval would score the uncut box; Strata keeps what the image holds.
 */
const clipToImage = ([x, y, w, h]: BBox, width: number, height: number): BBox | null => {
  // Inside already: kept exactly (recomputing w from x + w would move it by a rounding error).
  if (w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= width && y + h <= height) return [x, y, w, h]
  const [x0, y0, x1, y1] = [Math.max(0, x), Math.max(0, y), Math.min(width, x + w), Math.min(height, y + h)]
  return x1 > x0 && y1 > y0 ? [x0, y0, x1 - x0, y1 - y0] : null
}

type Row = { ok: StoredPrediction, clipped: boolean } | { dropped: true } | { skipped: string } | { problem: string } | { unknownClass: string }

const readRow = (row: unknown, i: number, ids: Lookup): Row => {
  if (!isObject(row)) return { problem: `row ${i} is ${asWritten(row)}, not an object` }
  if (!isId(row.image_id)) return { problem: `row ${i} needs an image_id, got ${asWritten(row.image_id)}` }
  if (!isId(row.category_id)) return { problem: `row ${i} needs a category_id, got ${asWritten(row.category_id)}` }
  const bbox = boxNumbers(row.bbox)
  if (!bbox) return { problem: `row ${i} needs a bbox [x, y, w, h] of four finite numbers, got ${asWritten(row.bbox)}` }
  const score = row.score
  if (typeof score !== 'number' || !(score >= 0 && score <= 1)) return { problem: `row ${i} needs a score between 0 and 1, got ${asWritten(score)}` }
  const item = ids.items.get(String(row.image_id))
  if (!item) {
    if (ids.elsewhere.has(String(row.image_id))) return { skipped: String(row.image_id) }
    return { problem: `row ${i} names image_id ${asWritten(row.image_id)}, which is no image of the project (give the COCO file its ids come from, to match them by file_name)` }
  }
  const classId = ids.classes.get(String(row.category_id))
  if (!classId) return { unknownClass: String(row.category_id) }
  const clipped = bbox[2] > 0 && bbox[3] > 0 ? clipToImage(bbox, item.width, item.height) : null
  if (clipped === null) return { dropped: true }
  return { ok: { image_id: item.id, category_id: classId, bbox: clipped, score }, clipped: clipped.some((v, k) => v !== bbox[k]) }
}

/**
 * Checks a COCO results file and rewrites it in Strata's ids. Lenient where detectors are
 * sloppy (boxes cut to their image, boxes with nothing inside left out, both counted); strict
 * where the data is broken: an unknown image or class, a non-number or a missing field refuses
 * the file whole, naming the row and the value as written.
 */
export const preparePredictions = (
  project: PredictionTarget, json: unknown, reference?: CocoDataset, what = 'The predictions file',
): Result<{ predictions: StoredPrediction[]; report: PredictionsReport }> => {
  if (!Array.isArray(json)) return fail(`${what} is not a COCO results list ([{ image_id, category_id, bbox, score }, …])`)
  const ids = predictionLookup(project, reference)
  const problems: string[] = []
  const unknownCategories = new Set<string>()
  const skippedImages = new Set<string>()
  const seenImages = new Set<string>()
  const predictions: StoredPrediction[] = []
  const report = { skipped: 0, clipped: 0, dropped: 0 }
  for (let i = 0; i < json.length && problems.length < 50; i++) {
    const row = readRow(json[i], i, ids)
    if ('problem' in row) problems.push(row.problem)
    else if ('unknownClass' in row) unknownCategories.add(row.unknownClass)
    else if ('skipped' in row) {
      report.skipped++
      skippedImages.add(row.skipped)
    } else if ('dropped' in row) report.dropped++
    else {
      if (row.clipped) report.clipped++
      seenImages.add(row.ok.image_id)
      predictions.push(row.ok)
    }
  }
  if (unknownCategories.size) {
    const named = [...unknownCategories].map((id) => (ids.referenceNames.has(id) ? `${id} ("${ids.referenceNames.get(id)}")` : id))
    problems.unshift(`category_id ${listProblems(named, 5)} ${named.length > 1 ? 'are not classes' : 'is not a class'} of the project; add the class or give the COCO file the ids come from`)
  }
  if (problems.length) return fail(`${what} was not imported: ${listProblems(problems)}`)
  if (report.skipped > 0 && predictions.length === 0) {
    return fail(`${what} was not imported: none of its ${json.length} predictions is on an image of the project (image_id ${[...skippedImages].slice(0, 3).join(', ')}…)`)
  }
  return ok({ predictions, report: { count: predictions.length, images: seenImages.size, skippedImages: [...skippedImages].slice(0, 5), ...report } })
}

/** The smallest part of a project that predictions are matched against. */
export const predictionTarget = (p: PredictionTarget): PredictionTarget => ({
  items: p.items.map(({ id, name, width, height, coco }) => ({ id, name, width, height, ...(coco ? { coco: { id: coco.id } } : {}) })),
  classes: p.classes.map(({ id, name, coco }) => ({ id, name, ...(coco ? { coco: { id: coco.id } } : {}) })),
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
  (r.clipped ? `; ${r.clipped} boxes cut to their image` : '') +
  (r.dropped ? `; ${r.dropped} boxes with nothing inside their image left out` : '') +
  (r.skipped ? `; ${r.skipped} skipped because their images are not in the project (image_id ${r.skippedImages.join(', ')}${r.skipped > r.skippedImages.length ? ', …' : ''})` : '')
