/** Model quality: matching predictions to labels and COCO detection metrics, as pycocotools computes them. Pure TS, no DOM. */
export { type Detection, type TruthBox, iou } from './match.ts'
export { IOU_THRESHOLDS, RECALL_POINTS, VOC_RECALL_POINTS, type EvalOptions } from './cocoParams.ts'
export { type CocoStats, STATS_ORDER } from './cocoStats.ts'
export { type ClassQuality, type Evaluation, type GroundTruth, type QualityOptions, type QualityReport, evaluate, evaluateFully } from './quality.ts'
export { type ConfusionMatrix, type DetectionOutcome, type ItemOutcomes, type Outcome, type OutcomeQuery, type Outcomes, type TruthOutcome, itemsWhere, outcomesAt } from './outcomes.ts'
export { collectTruth, detectionsOf, truthOf } from './truth.ts'
