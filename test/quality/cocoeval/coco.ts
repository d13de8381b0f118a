/** The COCO shapes the oracle writes: a ground-truth file and a results array, as pycocotools reads them. */
export type Box = [x: number, y: number, width: number, height: number]

/** Polygons, or an uncompressed RLE as COCO writes for crowd regions; COCOeval (bbox) never reads it. */
export type Segmentation = number[][] | { counts: number[]; size: [height: number, width: number] }

export interface CocoImage {
  id: number
  file_name: string
  width: number
  height: number
}

export interface CocoCategory {
  id: number
  name: string
  supercategory: string
}

export interface CocoAnnotation {
  id: number
  image_id: number
  category_id: number
  bbox: Box
  area: number
  iscrowd: 0 | 1
  segmentation?: Segmentation
}

export interface CocoGroundTruth {
  info?: { description: string; version: string }
  images: CocoImage[]
  categories: CocoCategory[]
  annotations: CocoAnnotation[]
}

export interface CocoResult {
  image_id: number
  category_id: number
  bbox: Box
  score: number
}

/** One oracle case: `expected/<name>.json` holds what pycocotools' COCOeval (bbox) reports for it. */
export interface CocoCase {
  name: string
  seed: number
  description: string
  gt: CocoGroundTruth
  dt: CocoResult[]
}

/**
 * IoU with the arithmetic of pycocotools' C `bbIou` (same operations in the same order, so the same double);
 * against crowd truth the union is the detection's own area.
 */
export const bbIou = (dt: Box, gt: Box, crowd: boolean): number => {
  const w = Math.min(dt[2] + dt[0], gt[2] + gt[0]) - Math.max(dt[0], gt[0])
  if (w <= 0) return 0
  const h = Math.min(dt[3] + dt[1], gt[3] + gt[1]) - Math.max(dt[1], gt[1])
  if (h <= 0) return 0
  const i = w * h
  const da = dt[2] * dt[3]
  const ga = gt[2] * gt[3]
  return i / (crowd ? da : da + ga - i)
}

/** The column-major RLE of a box's pixels in a width × height image, as COCO stores crowd masks. */
export const boxRle = (box: Box, width: number, height: number): Segmentation => {
  const x0 = Math.max(0, Math.floor(box[0]))
  const y0 = Math.max(0, Math.floor(box[1]))
  const x1 = Math.min(width, Math.ceil(box[0] + box[2]))
  const y1 = Math.min(height, Math.ceil(box[1] + box[3]))
  const counts = [x0 * height + y0]
  for (let x = x0; x < x1; x++) {
    counts.push(y1 - y0)
    counts.push(x === x1 - 1 ? height - y1 + (width - x1) * height : height - (y1 - y0))
  }
  return { counts, size: [height, width] }
}

/** A diamond inscribed in the box: a polygon whose area (half the box) differs from w × h, as real masks do. */
export const diamond = (box: Box): number[][] => {
  const [x, y, w, h] = box
  return [[x + w / 2, y, x + w, y + h / 2, x + w / 2, y + h, x, y + h / 2]]
}
