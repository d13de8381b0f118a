/** Comparing two versions: the domain's diff with the values the views show, and applying it. */
export { type RecordChange, type VersionComparison, compareVersions } from './compare.ts'
export { applyDiff } from './applyDiff.ts'
