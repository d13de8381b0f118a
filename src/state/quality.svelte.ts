import type * as Y from 'yjs'
import type { RunRecord, VersionRef } from '../domain/index.ts'
import type { QualityOptions, QualityReport } from '../quality/index.ts'
import { type BoxOutcome, type BoxSelection, changedOutcomes } from '../quality/drill.ts'
import type { BlobStore } from '../sync/blobs.ts'
import { type Connect, type Progress, type QualityClient, runQuality, workerChannel } from './qualityClient.ts'

/** One side of a measurement: whose labels, which run. */
export interface Side { version: VersionRef; runId: string }

/** A run measured against a version's labels, its worker still holding the evaluation. */
export interface Measured {
  /** "A" or "B" when comparing, else "". */
  letter: string
  side: Side
  runName: string
  versionName: string
  report: QualityReport
  skipped: number
  client: QualityClient
}

/** What to measure: the document of the version and the run. */
export interface Job { side: Side; doc: Y.Doc; run: RunRecord; versionName: string }

/** One item whose false positives or misses differ between A and B. */
export interface ChangedItem { itemId: string; a: { fp: number; fn: number }; b: { fp: number; fn: number } }

const isAbort = (e: unknown): boolean => e instanceof DOMException && e.name === 'AbortError'

/**
 * The Quality view's results, kept while the user goes to the grid and the item view with
 * them: every measurement's worker lives until it is replaced, cleared or the project closes.
 */
export class QualityResults {
  #results = $state.raw<Measured[]>([])
  #progress = $state.raw<Progress | null>(null)
  #error = $state.raw<string | null>(null)
  /** Index of the result whose outcomes the item view marks; -1 marks none. */
  marking = $state(0)
  #job: AbortController | null = null

  constructor(readonly blobs: BlobStore, readonly connect: Connect = workerChannel) {}

  get results(): Measured[] { return this.#results }
  get progress(): Progress | null { return this.#progress }
  get error(): string | null { return this.#error }
  /** The result the item view marks boxes with, if any. */
  get marked(): Measured | null { return this.#results[this.marking] ?? null }

  /** Measures every job in turn (A, then B); replaces the results and their workers when all are in. */
  async compute(jobs: Job[], options: QualityOptions): Promise<void> {
    this.#job?.abort()
    const mine = (this.#job = new AbortController())
    this.#error = null
    const out: Measured[] = []
    try {
      for (const [i, job] of jobs.entries()) {
        const letter = jobs.length > 1 ? (i === 0 ? 'A' : 'B') : ''
        const prefix = letter ? `${letter}: ` : ''
        const r = await runQuality(job.doc, job.run, this.blobs, options, (p) => { if (!mine.signal.aborted) this.#progress = { ...p, stage: prefix + p.stage } }, mine.signal, this.connect)
        out.push({ letter, side: job.side, runName: job.run.name, versionName: job.versionName, ...r })
      }
      this.#replace(out)
      this.marking = 0
    } catch (e) {
      for (const m of out) m.client.close()
      if (!mine.signal.aborted && !isAbort(e)) this.#error = e instanceof Error ? e.message : String(e)
    } finally {
      if (this.#job === mine) [this.#progress, this.#job] = [null, null]
    }
  }

  cancel(): void {
    this.#job?.abort()
    this.#job = null
    this.#progress = null
  }

  /** Drops the results and ends their workers. */
  clear(): void {
    this.#replace([])
  }

  destroy(): void {
    this.cancel()
    this.clear()
  }

  /** The items of one result behind a count or matrix cell. */
  items(index: number, selection: BoxSelection): Promise<string[]> {
    const m = this.#results[index]
    return m ? m.client.items(selection) : Promise.resolve([])
  }

  /** The marked result's outcomes for one item's boxes (empty when nothing is marked). */
  boxes(itemId: string): Promise<BoxOutcome[]> {
    return this.marked?.client.boxes(itemId) ?? Promise.resolve([])
  }

  /** The items whose FP or FN count differs between A and B. */
  async changed(): Promise<ChangedItem[]> {
    const [a, b] = this.#results
    if (!a || !b) return []
    const [ea, eb] = await Promise.all([a.client.errors(), b.client.errors()])
    return changedOutcomes(ea, eb)
  }

  #replace(next: Measured[]): void {
    for (const m of this.#results) if (!next.includes(m)) m.client.close()
    this.#results = next
  }
}
