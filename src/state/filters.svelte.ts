import type { ClassId } from '../domain/index.ts'
import type { LabelFilter, ListQuery } from '../engine/protocol.ts'
import type { BoxSelection } from '../quality/drill.ts'

export type { LabelFilter } from '../engine/protocol.ts'

/** The items behind a metric or matrix cell, named as the user picked it ("False positives of car · …"). */
export interface OutcomeFilter { label: string; result: number; selection: BoxSelection }

/** The grid's filters; the engine answers the items that pass them. */
export class ItemFilters {
  search = $state('')
  classId = $state<ClassId | ''>('')
  tag = $state('')
  labels = $state<LabelFilter>('any')
  /** Set from the Quality view: a measured result's boxes. */
  outcome = $state.raw<OutcomeFilter | null>(null)

  get active(): boolean {
    return this.search.trim() !== '' || this.classId !== '' || this.tag !== '' || this.labels !== 'any' || this.outcome !== null
  }

  /** What the engine is asked for. */
  get query(): ListQuery {
    const o = this.outcome
    return { search: this.search, classId: this.classId, tag: this.tag, labels: this.labels, outcome: o ? { result: o.result, selection: o.selection } : null }
  }

  clear(): void {
    this.search = ''
    this.classId = ''
    this.tag = ''
    this.labels = 'any'
    this.outcome = null
  }
}
