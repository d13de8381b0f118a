import { type ItemJson, type LabelJson, type ProjectJson, sameBoxAsImported } from '../domain/index.ts'
import { type CocoIds, cocoIdsOf } from './cocoIds.ts'
import type { StoredPrediction } from './predictions.ts'

/** A COCO results row as evaluation tools (pycocotools) read them. */
export interface CocoResult {
  image_id: number | string
  category_id: number | string
  bbox: [number, number, number, number]
  score: number
}

type Json = Record<string, unknown>

/** A COCO file as an export writes it. */
export interface CocoFile {
  info?: Json
  images: Json[]
  annotations: Json[]
  categories: Json[]
  [field: string]: unknown
}

const parsed = (text: string | undefined): Json => (text === undefined ? {} : (JSON.parse(text) as Json))

const annotationOf = (label: LabelJson, imageId: unknown, categoryId: unknown, ids: CocoIds): Json => {
  const coco = label.coco
  // Area and segmentation describe the box as imported; once it moved they would be wrong.
  const unchanged = coco !== undefined && sameBoxAsImported(label.bbox, coco)
  return {
    ...parsed(coco?.extra),
    id: ids.annotation.get(label.id),
    image_id: imageId,
    category_id: categoryId,
    bbox: label.bbox,
    area: unchanged && coco.area !== undefined ? coco.area : label.bbox[2] * label.bbox[3],
    iscrowd: coco?.crowd ? 1 : 0,
    ...(unchanged && coco.segmentation !== undefined ? { segmentation: JSON.parse(coco.segmentation) as unknown } : {}),
    strata_id: label.id,
  }
}

const imageOf = (item: ItemJson, ids: CocoIds): Json => ({
  ...parsed(item.coco?.extra),
  id: ids.image.get(item.id),
  file_name: item.name,
  width: item.width,
  height: item.height,
  strata_id: item.id,
  sha256: item.blob,
  mime: item.mime,
  tags: item.tags,
})

/**
 * A project (latest, or a version opened with `openVersion`) as COCO ground truth. What came
 * from a COCO file keeps its ids, supercategory, area, iscrowd, segmentation and every field
 * Strata does not read; what was made in Strata gets ids that collide with none (`cocoIds.ts`).
 * Each record also carries its Strata id, and each image its blob hash, mime and tags, so that
 * importing the file into an empty project gives back the same project.
 */
export const toCoco = (project: ProjectJson, version = 'latest'): CocoFile => {
  const ids = cocoIdsOf(project)
  const categories = project.classes.map((c) => ({
    ...parsed(c.coco?.extra),
    id: ids.category.get(c.id),
    name: c.name,
    ...(c.coco?.supercategory !== undefined ? { supercategory: c.coco.supercategory } : {}),
    strata_id: c.id,
    color: c.color,
  }))
  const annotations: Json[] = []
  for (const item of project.items) {
    for (const label of item.labels) {
      const category = ids.category.get(label.classId)
      // A label whose class was removed elsewhere has no category to name; COCO cannot hold it.
      if (category !== undefined) annotations.push(annotationOf(label, ids.image.get(item.id), category, ids))
    }
  }
  const kept = parsed(project.meta.coco)
  const exported = new Date().toISOString()
  return {
    info: { description: project.meta.name, version, contributor: 'Strata', date_created: exported },
    ...kept,
    // Strata's own note: an import of this file knows the info above was made up, not kept.
    strata: { project: project.meta.name, version, exported, info: kept.info === undefined ? 'generated' : 'kept' },
    images: project.items.map((item) => imageOf(item, ids)),
    annotations,
    categories,
  }
}

/**
 * A run's predictions as COCO results, in the ids of `gt` (a `toCoco` export), so the two
 * files evaluate together. Predictions on items or classes that `gt` lacks are left out.
 */
export const toCocoResults = (predictions: StoredPrediction[], gt: CocoFile): { results: CocoResult[]; leftOut: number } => {
  const idsBy = (list: Json[]): Map<string, number | string> =>
    new Map(list.flatMap((r) => (typeof r.strata_id === 'string' && (typeof r.id === 'number' || typeof r.id === 'string') ? [[r.strata_id, r.id] as const] : [])))
  const imageOf = idsBy(gt.images)
  const categoryOf = idsBy(gt.categories)
  const results: CocoResult[] = []
  for (const p of predictions) {
    const image_id = imageOf.get(p.image_id)
    const category_id = categoryOf.get(p.category_id)
    if (image_id !== undefined && category_id !== undefined) results.push({ image_id, category_id, bbox: p.bbox, score: p.score })
  }
  return { results, leftOut: predictions.length - results.length }
}
