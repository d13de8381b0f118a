import type { QualityOptions } from '../quality/index.ts'
import type { BoxOutcome, BoxSelection } from '../quality/drill.ts'

/** "False positives of car", "dog predicted as cat": what a count or a matrix cell stands for, in words. */
export const describeSelection = (s: BoxSelection, className: (id: string) => string): string => {
  const c = s.classId === '' ? 'all classes' : className(s.classId)
  const outcomes = [...s.outcomes].sort().join('+')
  if (s.kind === 'detection') {
    if (outcomes === 'tp') return `True positives of ${c}`
    if (outcomes === 'confused+fp') return `False positives of ${c}`
    if (outcomes === 'fp') return `False positives of ${c} on background`
    if (outcomes === 'confused') return `${s.other === undefined ? 'another class' : className(s.other)} predicted as ${c}`
    return `Predictions of ${c}: ${outcomes}`
  }
  if (outcomes === 'confused+fn') return `False negatives of ${c}`
  if (outcomes === 'fn') return `${c} missed (predicted as background)`
  return `Labels of ${c}: ${outcomes}`
}

/** The departures from COCOeval that options ask for, in words; empty when the numbers are COCOeval's. */
export const departures = (o: QualityOptions): string[] => [
  ...(o.iouSlack ? [`IoU slack ${o.iouSlack} (a match up to this far below the IoU threshold counts)`] : []),
  ...(o.interpolation === 'voc11' ? ['11-point AP (Pascal VOC / Encord Active)'] : []),
]

/** The short tag drawn on a marked box. */
export const markTag = (b: BoxOutcome): string =>
  b.outcome === 'confused' ? 'C' : b.outcome === 'ignored' ? 'IGN' : b.outcome === 'crowd' ? 'CROWD' : b.outcome.toUpperCase()

/** One marked box in words: "Prediction car 0.80: false positive". */
export const markText = (b: BoxOutcome, className: (id: string) => string): string => {
  const what = b.kind === 'detection' ? `Prediction ${className(b.classId)} ${b.score?.toFixed(2) ?? ''}` : `Label ${className(b.classId)}`
  const other = b.other === undefined ? 'another class' : className(b.other)
  const words: Record<string, string> = b.kind === 'detection'
    ? { tp: 'TP, true positive', fp: 'FP, false positive', confused: `C, confused with a label of ${other} (counts as FP)`, ignored: 'ignored, on a crowd region' }
    : { tp: 'TP, found', fn: 'FN, missed', confused: `C, predicted as ${other} (counts as FN)`, crowd: 'crowd region, not counted' }
  return `${what}: ${words[b.outcome] ?? b.outcome}`
}
