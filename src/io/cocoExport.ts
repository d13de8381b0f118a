import type { ProjectJson } from '../domain/index.ts'
import type { CocoDataset } from './coco.ts'
import type { StoredPrediction } from './predictions.ts'

/** A COCO results row as evaluation tools (pycocotools) read them. */
export interface CocoResult {
  image_id: number
  category_id: number
  bbox: [number, number, number, number]
  score: number
}

/**
 * A project (latest, or a version opened with `openVersion`) as COCO ground truth. Ids are
 * 1-based integers in the project's order, as COCO tools expect; each record also keeps its
 * Strata id, and each image its blob hash, mime and tags, so importing the file into an
 * empty project gives back the same project.
 */
export const toCoco = (project: ProjectJson, version = 'latest'): CocoDataset => {
  const categoryOf = new Map<string, number>()
  const categories = project.classes.map((c, i) => {
    categoryOf.set(c.id, i + 1)
    return { id: i + 1, name: c.name, supercategory: '', strata_id: c.id, color: c.color }
  })
  const annotations: CocoDataset['annotations'] = []
  const images = project.items.map((item, i) => {
    for (const label of item.labels) {
      const category = categoryOf.get(label.classId)
      // A label whose class was removed elsewhere has no category to name; COCO cannot hold it.
      if (category === undefined) continue
      annotations.push({ id: annotations.length + 1, image_id: i + 1, category_id: category, bbox: label.bbox, area: label.bbox[2] * label.bbox[3], iscrowd: 0, strata_id: label.id })
    }
    return { id: i + 1, file_name: item.name, width: item.width, height: item.height, strata_id: item.id, sha256: item.blob, mime: item.mime, tags: item.tags }
  })
  return {
    info: { description: project.meta.name, version, date_created: new Date().toISOString(), contributor: 'Strata' },
    images,
    annotations,
    categories,
  }
}

/**
 * A run's predictions as COCO results, numbered like `gt` (a `toCoco` export), so the two
 * files evaluate together. Predictions on items or classes that `gt` lacks are left out.
 */
export const toCocoResults = (predictions: StoredPrediction[], gt: CocoDataset): { results: CocoResult[]; leftOut: number } => {
  const imageOf = new Map(gt.images.map((i) => [i.strata_id ?? String(i.id), Number(i.id)]))
  const categoryOf = new Map(gt.categories.map((c) => [c.strata_id ?? String(c.id), Number(c.id)]))
  const results: CocoResult[] = []
  for (const p of predictions) {
    const image_id = imageOf.get(p.image_id)
    const category_id = categoryOf.get(p.category_id)
    if (image_id !== undefined && category_id !== undefined) results.push({ image_id, category_id, bbox: p.bbox, score: p.score })
  }
  return { results, leftOut: predictions.length - results.length }
}
