import type { BBox } from '../domain/index.ts'
import { cocoIou } from './cocoeval.ts'

/**
 * A ground-truth box: a label of one class on one item. `area` is COCO's (used for the area
 * ranges; w × h when absent) and `crowd` marks a COCO crowd region, which evaluation ignores.
 */
export interface TruthBox {
  itemId: string
  classId: string
  bbox: BBox
  area?: number
  crowd?: boolean
}

/** A predicted box with its confidence, as a COCO results row has it. */
export interface Detection {
  itemId: string
  classId: string
  bbox: BBox
  score: number
}

/** Intersection over union of two `[x, y, w, h]` boxes, as pycocotools computes it; 0 when they do not overlap. */
export const iou = (a: BBox, b: BBox): number => cocoIou(a, b, false)
