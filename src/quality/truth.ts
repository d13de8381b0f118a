import type * as Y from 'yjs'
import { type ItemId, type LabelJson, type ProjectJson, listClasses, listItems, readItem } from '../domain/index.ts'
import { inCocoOrder } from '../io/cocoIds.ts'
import type { GroundTruth, TruthBox } from './index.ts'
import type { Detection } from './match.ts'

/** A label as evaluation sees it: COCO's area while the box is the imported one, crowd from COCO's iscrowd. */
const truthBox = (itemId: string, l: LabelJson): TruthBox => {
  const coco = l.coco
  const unchanged = coco !== undefined && coco.bbox.every((v, i) => v === l.bbox[i])
  return {
    itemId, classId: l.classId, bbox: l.bbox,
    ...(unchanged && coco.area !== undefined ? { area: coco.area } : {}),
    ...(coco?.crowd ? { crowd: true } : {}),
  }
}

/** The ground truth of a materialised project: items and classes in COCO order, every label. */
export const truthOf = (project: ProjectJson): GroundTruth => ({
  items: inCocoOrder(project.items),
  classes: inCocoOrder(project.classes),
  boxes: project.items.flatMap((i) => i.labels.map((l) => truthBox(i.id, l))),
})

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

/**
 * The ground truth of a document (live or an opened version), read item by item in chunks
 * with a pause between them, so a big project never holds the main thread for long.
 */
export const collectTruth = async (doc: Y.Doc, onProgress?: (done: number, total: number) => void, chunk = 2_000): Promise<GroundTruth> => {
  const items = inCocoOrder(listItems(doc))
  const boxes: TruthBox[] = []
  for (let start = 0; start < items.length; start += chunk) {
    for (const id of items.slice(start, start + chunk)) {
      for (const l of readItem(doc, id as ItemId)?.labels ?? []) boxes.push(truthBox(id, l))
    }
    onProgress?.(Math.min(items.length, start + chunk), items.length)
    await nextTask()
  }
  return { items, classes: inCocoOrder(listClasses(doc)), boxes }
}

const isBox = (v: unknown): v is [number, number, number, number] => Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n))

/**
 * Predictions from a run's file (`image_id` = item id, `category_id` = class id), in file
 * order (ties within an image keep it, as COCOeval's do). Rows of another shape are counted in
 * `skipped`, not guessed at.
 */
export const detectionsOf = (json: unknown): { detections: Detection[]; skipped: number } => {
  const detections: Detection[] = []
  let skipped = 0
  for (const row of Array.isArray(json) ? (json as unknown[]) : []) {
    const r = (row ?? {}) as Record<string, unknown>
    const ok = (typeof r.image_id === 'string' || typeof r.image_id === 'number') && (typeof r.category_id === 'string' || typeof r.category_id === 'number')
    if (ok && isBox(r.bbox) && typeof r.score === 'number' && Number.isFinite(r.score)) {
      detections.push({ itemId: String(r.image_id), classId: String(r.category_id), bbox: r.bbox, score: r.score })
    } else skipped++
  }
  return { detections, skipped }
}
