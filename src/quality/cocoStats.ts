import { AREA_NAMES, AREA_RANGES } from './cocoParams.ts'
import type { CocoEvaluation } from './cocoeval.ts'

/** COCOeval's twelve summary numbers; null where COCOeval prints -1 (nothing to average). */
export interface CocoStats {
  /** AP averaged over IoU 0.50:0.95, all areas, 100 detections. */
  ap: number | null
  ap50: number | null
  ap75: number | null
  apSmall: number | null
  apMedium: number | null
  apLarge: number | null
  /** AR with at most 1, 10 and 100 detections per image and class. */
  ar1: number | null
  ar10: number | null
  ar100: number | null
  arSmall: number | null
  arMedium: number | null
  arLarge: number | null
}

/** The stats in COCOeval.stats order. */
export const STATS_ORDER: readonly (keyof CocoStats)[] = [
  'ap', 'ap50', 'ap75', 'apSmall', 'apMedium', 'apLarge', 'ar1', 'ar10', 'ar100', 'arSmall', 'arMedium', 'arLarge',
]

type Area = (typeof AREA_NAMES)[number]

/**
 * COCOeval's summarize, over every class or only class `k`: the mean of the accumulated
 * precision (or recall) entries that are defined, for one IoU threshold or all ten.
 */
export const summarize = (e: CocoEvaluation, k?: number): CocoStats => {
  const one = (ap: boolean, iou: number | null, area: Area, maxDets: number): number | null => mean(e, ap, iou, area, maxDets, k)
  const last = e.maxDets[e.maxDets.length - 1] as number
  return {
    ap: one(true, null, 'all', last),
    ap50: one(true, 0.5, 'all', last),
    ap75: one(true, 0.75, 'all', last),
    apSmall: one(true, null, 'small', last),
    apMedium: one(true, null, 'medium', last),
    apLarge: one(true, null, 'large', last),
    ar1: one(false, null, 'all', e.maxDets[0] as number),
    ar10: one(false, null, 'all', e.maxDets[1] as number),
    ar100: one(false, null, 'all', last),
    arSmall: one(false, null, 'small', last),
    arMedium: one(false, null, 'medium', last),
    arLarge: one(false, null, 'large', last),
  }
}

/** How many of COCO's IoU thresholds an evaluation averages over (extra ones are for counts only). */
const COCO_THRESHOLDS = 10

const mean = (e: CocoEvaluation, ap: boolean, iou: number | null, area: Area, maxDets: number, only?: number): number | null => {
  const K = e.classes.length
  const R = e.recallPoints.length
  const A = AREA_RANGES.length
  const M = e.maxDets.length
  const a = AREA_NAMES.indexOf(area)
  const m = e.maxDets.indexOf(maxDets)
  const ts = iou === null ? [...Array(COCO_THRESHOLDS).keys()] : [e.thresholds.indexOf(iou)].filter((t) => t >= 0 && t < COCO_THRESHOLDS)
  const ks = only === undefined ? [...Array(K).keys()] : [only]
  let sum = 0
  let count = 0
  if (m < 0) return null
  for (const t of ts) {
    for (const k of ks) {
      if (ap) {
        for (let r = 0; r < R; r++) {
          const v = e.precision[(((t * R + r) * K + k) * A + a) * M + m] as number
          if (v > -1) { sum += v; count++ }
        }
      } else {
        const v = e.recall[((t * K + k) * A + a) * M + m] as number
        if (v > -1) { sum += v; count++ }
      }
    }
  }
  return count === 0 ? null : sum / count
}
