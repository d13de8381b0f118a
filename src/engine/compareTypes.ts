import type { ClassRecord, ItemDiff, ItemJson, MetaRecord, RunRecord, VersionRef } from '../domain/index.ts'

/** Which comparison the Compare view shows, and which page and item of it. */
export interface CompareTopic {
  from: VersionRef
  to: VersionRef
  show: 'all' | ItemDiff['status']
  page: number
  selectedId: string | null
}

/** One keyed record on both sides of a comparison (null where it does not exist). */
export interface RecordChange<V> {
  id: string
  before: V | null
  after: V | null
}

/** What the Compare view shows of one comparison: counts, one page of items, the item picked. */
export interface ComparePage {
  error: string | null
  total: number
  rows: Array<{ what: string; added: number; removed: number; changed: number }>
  /** Items that differ at all, and those the `show` filter keeps. */
  itemCount: number
  listed: number
  labelKinds: { moved: number; reclassified: number }
  classes: Array<RecordChange<ClassRecord>>
  runs: Array<RecordChange<RunRecord>>
  meta: Array<RecordChange<MetaRecord[keyof MetaRecord]>>
  page: number
  pages: number
  shown: ItemDiff[]
  selected: { diff: ItemDiff; before: ItemJson | null; after: ItemJson | null } | null
}

/** Items per page of the Compare view's list. */
export const COMPARE_PAGE = 50
