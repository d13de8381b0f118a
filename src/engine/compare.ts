import type * as Y from 'yjs'
import { type ItemId, type VersionRef, openVersion, readItem } from '../domain/index.ts'
import { type VersionComparison, compareVersions } from '../domain/index.ts'
import { COMPARE_PAGE, type ComparePage, type CompareTopic } from './compareTypes.ts'
import { changeRows } from './pending.ts'

type Made = { key: string; diff: VersionComparison; before: Y.Doc; after: Y.Doc } | { key: string; error: string }

const docAt = (live: Y.Doc, ref: VersionRef): Y.Doc => (ref === 'latest' ? live : openVersion(live, ref))

/**
 * The Compare view's comparison, made once per pair of versions (and state of latest when
 * one side is latest) and paged from there: a page or a picked item costs no new diff.
 */
export class Comparisons {
  #made: Made | null = null

  /** Latest changed: a comparison with latest on one side is made again when next asked for. */
  latestChanged(): void {
    const made = this.#made
    if (made && (made.key.includes('latest') || 'error' in made)) this.#made = null
  }

  page(live: Y.Doc, spec: CompareTopic): ComparePage {
    const key = `${spec.from}\n${spec.to}`
    if (this.#made?.key !== key) this.#made = this.#make(live, spec, key)
    const made = this.#made
    if ('error' in made) return emptyPage(made.error)
    const { diff } = made
    const s = diff.summary
    const changed = diff.items.flatMap((d) => d.labels.changed)
    const listed = diff.items.filter((d) => spec.show === 'all' || d.status === spec.show)
    const pages = Math.max(1, Math.ceil(listed.length / COMPARE_PAGE))
    const page = Math.min(Math.max(0, spec.page), pages - 1)
    const picked = spec.selectedId === null ? undefined : diff.items.find((d) => d.id === spec.selectedId)
    return {
      error: null,
      total: s.total,
      rows: changeRows(s),
      itemCount: diff.items.length,
      listed: listed.length,
      labelKinds: { moved: changed.filter((l) => l.moved).length, reclassified: changed.filter((l) => l.reclassified).length },
      classes: diff.classes,
      runs: diff.runs,
      meta: diff.meta,
      page,
      pages,
      shown: listed.slice(page * COMPARE_PAGE, page * COMPARE_PAGE + COMPARE_PAGE),
      selected: picked ? { diff: picked, before: readItem(made.before, picked.id as ItemId), after: readItem(made.after, picked.id as ItemId) } : null,
    }
  }

  #make(live: Y.Doc, spec: CompareTopic, key: string): Made {
    try {
      return { key, diff: compareVersions(live, spec.from, spec.to), before: docAt(live, spec.from), after: docAt(live, spec.to) }
    } catch (e) {
      return { key, error: e instanceof Error ? e.message : String(e) }
    }
  }
}

const emptyPage = (error: string): ComparePage => ({
  error, total: 0, rows: [], itemCount: 0, listed: 0, labelKinds: { moved: 0, reclassified: 0 }, classes: [], runs: [], meta: [], page: 0, pages: 1, shown: [], selected: null,
})
