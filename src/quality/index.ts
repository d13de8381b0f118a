/** Model quality: matching predictions to labels and COCO-style detection metrics. Pure TS, no DOM. */
export { type Detection, type TruthBox, IOU_EPSILON, iou } from './match.ts'
export { IOU_THRESHOLDS, RECALL_POINTS } from './precision.ts'
export { type ClassQuality, type GroundTruth, type QualityOptions, type QualityReport, evaluate } from './quality.ts'
export { collectTruth, detectionsOf, truthOf } from './truth.ts'
