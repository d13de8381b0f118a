/**
 * COCOeval's parameters, built exactly as pycocotools builds them (numpy's linspace: i * step +
 * start, the last value set to the stop), so that a box whose IoU or recall lands exactly on a
 * threshold falls on the same side as in pycocotools.
 */

/** numpy.linspace(start, stop, num) with its rounding. */
export const linspace = (start: number, stop: number, num: number): number[] => {
  const step = (stop - start) / (num - 1)
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start))
}

/** COCO's IoU thresholds 0.50, 0.55, …, 0.95. */
export const IOU_THRESHOLDS: readonly number[] = linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1)

/** COCO's 101 recall points 0, 0.01, …, 1. */
export const RECALL_POINTS: readonly number[] = linspace(0, 1, Math.round((1 - 0) / 0.01) + 1)

/** Pascal VOC 2007's 11 recall points, for the `interpolation: 'voc11'` option. */
export const VOC_RECALL_POINTS: readonly number[] = linspace(0, 1, 11)

/** COCO's detections per image and class kept for AR@1, AR@10 and everything else (100). */
export const MAX_DETS: readonly [number, number, number] = [1, 10, 100]

/** COCO's area ranges, in px²: all, small (< 32²), medium, large (> 96²); both ends inclusive. */
export const AREA_RANGES: readonly (readonly [number, number])[] = [[0, 1e5 ** 2], [0, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]]

/** Names of the area ranges, in the order above. */
export const AREA_NAMES = ['all', 'small', 'medium', 'large'] as const

/** numpy's `np.spacing(1)`, added to every precision's denominator by COCOeval. */
export const SPACING_1 = 2.220446049250313e-16

/** How an evaluation may deliberately differ from COCOeval; every default is COCOeval's. */
export interface EvalOptions {
  /**
   * Counts a match whose IoU is this much below the threshold (default 0: COCOeval's `>=`).
   * Some tools accept a float hair below the threshold as a hit.
   */
  iouSlack?: number
  /** 'coco101' (default) or 'voc11': Pascal VOC 2007's 11-point AP, which Encord Active shows. */
  interpolation?: 'coco101' | 'voc11'
  /** Detections per image and class (default COCO's 1, 10, 100; AP uses the last). */
  maxDets?: readonly [number, number, number]
}
