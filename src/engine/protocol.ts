import type { Actor, BBox, ClassId, ItemId, ItemJson, LabelId, RunId, RunRecord, Version, VersionId, VersionRef } from '../domain/index.ts'
import type { QualityOptions, QualityReport } from '../quality/index.ts'
import type { BoxOutcome, BoxSelection } from '../quality/drill.ts'
import type { CompareTopic, ComparePage } from './compareTypes.ts'

/**
 * The messages between a tab (`src/state/`) and the project engine (the worker). Every
 * message carries `v`; a tab and a worker from different builds (a tab left open over an
 * update, a new worker script) see they disagree and say so instead of misreading each
 * other. Bump it whenever a message changes shape. Messages carry what a screen shows
 * (a window of cells, one item, counts), never the project.
 */
export const ENGINE_PROTOCOL = 1

/** What the tab says when it and the engine are different builds. */
export const ENGINE_MISMATCH = 'This tab and the project engine are different versions of Strata; reload the page'

export type LinkState = 'connecting' | 'syncing' | 'online' | 'offline' | 'denied'
export type Phase = 'opening' | 'cached' | 'loading' | 'ready' | 'failed'

export interface ClassOption { id: ClassId; name: string; color: string }
export type RunOption = { id: RunId } & RunRecord
export interface Person { clientId: number; name: string; viewing: string; self: boolean }
export interface Prediction { classId: ClassId; bbox: BBox; score: number }

/** One grid cell: the item with its boxes, tags and the shown run's predictions. */
export type Cell = ItemJson & { predicted: Prediction[] }

/** The project as the sidebar, toolbox and banners show it; sent whenever any of it changes. */
export interface ProjectTopic {
  phase: Phase
  /** Whole percent of the stored document applied while loading. */
  percent: number
  error: string | null
  name: string
  /** Items in what is shown (latest, or the version viewed). */
  total: number
  classes: ClassOption[]
  runs: RunOption[]
  versions: Version[]
  link: { state: LinkState; reason: string; unsyncedChanges: number; unsyncedBlobs: number; saveError: string | null }
  people: Person[]
  viewing: { shown: VersionId | null; openError: string | null; notice: string | null; looking: boolean }
  predictions: { runId: RunId | ''; threshold: number; loading: boolean; error: string | null }
  images: { done: number; total: number; added: number; failed: string[]; running: boolean }
  /** Why edits made while the project loaded could not be applied (the item went meanwhile, say). */
  earlyProblems: readonly string[]
}

export type LabelFilter = 'any' | 'with' | 'without'

/** The grid's filters; `outcome` names a measured result's boxes (the Quality view's drill-down). */
export interface ListQuery {
  search: string
  classId: ClassId | ''
  tag: string
  labels: LabelFilter
  outcome: { result: number; selection: BoxSelection } | null
}

export interface ListTopic {
  /** The ids that pass the filters, in display order, joined by '\n' (one string clones fast). */
  ids: string
  allTags: string[]
}

/** The outstanding changes since the last version, as the Version tab lists them. */
export interface PendingTopic {
  since: Version | null
  total: number
  rows: Array<{ what: string; added: number; removed: number; changed: number }>
  /** The first changed items, described; `more` says how many are not listed. */
  lines: ChangedItemLine[]
  more: number
  runs: { added: number; removed: number }
  classes: { added: number; changed: number; removed: number }
  error: string | null
}

export interface ChangedItemLine { id: ItemId; name: string; status: 'added' | 'removed' | 'changed'; text: string }

export interface MeasuredInfo { letter: string; version: VersionRef; runId: string; runName: string; versionName: string; report: QualityReport; skipped: number }
export interface QualityTopic {
  results: MeasuredInfo[]
  progress: { stage: string; done: number; total: number } | null
  error: string | null
  marking: number
}

/** What each topic is asked with, and what it answers. */
export interface Topics {
  project: { spec: null; value: ProjectTopic }
  list: { spec: ListQuery; value: ListTopic }
  cells: { spec: { ids: ItemId[] }; value: Cell[] }
  item: { spec: { itemId: ItemId }; value: { item: Cell | null; marks: BoxOutcome[] } }
  pending: { spec: null; value: PendingTopic }
  changesSince: { spec: null; value: number | null }
  compare: { spec: CompareTopic; value: ComparePage }
  quality: { spec: null; value: QualityTopic }
}
export type TopicName = keyof Topics

/** One item whose false positives or misses differ between A and B. */
export interface ChangedOutcome { itemId: string; name: string; a: { fp: number; fn: number }; b: { fp: number; fn: number } }

export interface QualityJob { version: VersionRef; runId: string }
export interface ExportFile { fileName: string; blob: Blob }

/** The engine's commands and questions: arguments in, answer out. Edits go to what the tab shows. */
export interface EngineApi {
  show(versionId: VersionId | null): void
  /** Hides what the tab was told about the version it asked for. */
  dismiss(): void
  network(online: boolean): void
  publish(name: string, viewing: string): void
  addLabel(itemId: ItemId, classId: ClassId, bbox: BBox): LabelId
  updateLabel(itemId: ItemId, labelId: LabelId, patch: { classId?: ClassId; bbox?: BBox }): void
  removeLabel(itemId: ItemId, labelId: LabelId): void
  setTags(itemIds: ItemId[], tag: string, on: boolean): void
  addClass(name: string): ClassId
  updateClass(classId: ClassId, patch: { name?: string; color?: string }): void
  createVersion(name: string, description: string): Version
  discard(): Version
  restore(versionId: VersionId): Version
  deleteVersion(versionId: VersionId): void
  undo(): void
  redo(): void
  blob(sha: string, mime: string): Blob | null
  importImages(files: Array<{ file: File; name: string }>): void
  planCoco(file: File): { planId: number; lines: string[] }
  applyCoco(planId: number): string[]
  /** Forgets a planned import the user cancelled. */
  cancelCoco(planId: number): void
  importRun(input: { results: File; reference: File | null; name: string; model: string }): string
  showPredictions(runId: RunId | '', threshold: number): void
  exportCoco(runId: RunId | null): ExportFile
  exportYolo(input: { split: { train: string; val: string; test: string } | null; withImages: boolean }): ExportFile & { report: string[] }
  runsFor(version: VersionRef): RunOption[]
  measure(jobs: QualityJob[], options: QualityOptions): void
  cancelMeasure(): void
  clearMeasures(): void
  markWith(index: number): void
  outcomeItems(index: number, selection: BoxSelection): number
  changedOutcomes(): ChangedOutcome[]
}
export type Method = keyof EngineApi
export type Args<M extends Method> = Parameters<EngineApi[M]>
export type Answer<M extends Method> = ReturnType<EngineApi[M]>

/** Tab to engine. */
export type ToEngine = { v: number } & (
  /** `lock` names a Web Lock the tab holds while it lives: the engine sees the tab go when it is released. */
  | { t: 'hello'; projectId: string; token: string; actor: Actor; online: boolean; lock: string | null }
  | { t: 'call'; id: number; method: Method; args: unknown[] }
  | { t: 'watch'; key: string; topic: TopicName; spec: unknown }
  | { t: 'unwatch'; key: string }
  | { t: 'bye' }
  /** The compaction the engine asked this tab to run has ended. */
  | { t: 'compacted'; id: number; ok: boolean; error: string | null }
)

/** Engine to tab. */
export type FromEngine = { v: number } & (
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: { name: string; message: string } }
  | { t: 'progress'; id: number; text: string }
  | { t: 'topic'; key: string; value: unknown }
  /** A performance mark the tab records on its own timeline (benches and tests read them there). */
  | { t: 'mark'; name: string }
  /** The version shown is gone: the tab drops it from the URL. */
  | { t: 'left' }
  | { t: 'mismatch'; message: string }
  /** Compact this stored log in a worker of the tab's (the engine's thread must not). */
  | { t: 'compact'; id: number; name: string }
)
