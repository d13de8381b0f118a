import type * as Y from 'yjs'
import type { RunRecord, VersionRef } from '../domain/index.ts'
import type { QualityOptions } from '../quality/index.ts'
import { type BoxOutcome, type BoxSelection, changedOutcomes } from '../quality/drill.ts'
import type { FileStore } from './opened.ts'
import type { MeasuredInfo, QualityTopic } from './protocol.ts'
import { type QualityClient, runQuality } from './qualityClient.ts'

/** What to measure: the document of the version and the run. */
export interface Job { version: VersionRef; doc: Y.Doc; runId: string; run: RunRecord; versionName: string }

type Measured = MeasuredInfo & { client: QualityClient }

const isAbort = (e: unknown): boolean => e instanceof DOMException && e.name === 'AbortError'

/**
 * One tab's Quality results, kept while the user goes to the grid and the item view with
 * them: every measurement's evaluation lives until it is replaced, cleared or the tab leaves.
 */
export class Measures {
  #results: Measured[] = []
  #progress: QualityTopic['progress'] = null
  #error: string | null = null
  #marking = 0
  #job: AbortController | null = null

  constructor(
    readonly blobs: FileStore,
    readonly changed: () => void,
  ) {}

  get topic(): QualityTopic {
    return { results: this.#results.map(({ client: _, ...info }) => info), progress: this.#progress, error: this.#error, marking: this.#marking }
  }

  /** Measures every job in turn (A, then B); replaces the results when all are in. */
  async measure(jobs: Job[], options: QualityOptions): Promise<void> {
    this.#job?.abort()
    const mine = (this.#job = new AbortController())
    this.#error = null
    const out: Measured[] = []
    try {
      for (const [i, job] of jobs.entries()) {
        const letter = jobs.length > 1 ? (i === 0 ? 'A' : 'B') : ''
        const prefix = letter ? `${letter}: ` : ''
        const r = await runQuality(job.doc, job.run, this.blobs, options, (p) => {
          if (mine.signal.aborted) return
          this.#progress = { ...p, stage: prefix + p.stage }
          this.changed()
        }, mine.signal)
        out.push({ letter, version: job.version, runId: job.runId, runName: job.run.name, versionName: job.versionName, ...r })
      }
      this.#replace(out)
      this.#marking = 0
    } catch (e) {
      for (const m of out) m.client.close()
      if (!mine.signal.aborted && !isAbort(e)) this.#error = e instanceof Error ? e.message : String(e)
    } finally {
      if (this.#job === mine) [this.#progress, this.#job] = [null, null]
      this.changed()
    }
  }

  cancel(): void {
    this.#job?.abort()
    this.#job = null
    this.#progress = null
    this.changed()
  }

  /** Drops the results and ends their evaluations. */
  clear(): void {
    this.#replace([])
    this.changed()
  }

  destroy(): void {
    this.#job?.abort()
    this.#replace([])
  }

  markWith(index: number): void {
    this.#marking = index
    this.changed()
  }

  /** The items of one result behind a count or matrix cell. */
  items(index: number, selection: BoxSelection): Promise<string[]> {
    const m = this.#results[index]
    return m ? m.client.items(selection) : Promise.resolve([])
  }

  /** The marked result's outcomes for one item's boxes (empty when nothing is marked). */
  boxes(itemId: string): Promise<BoxOutcome[]> {
    return this.#results[this.#marking]?.client.boxes(itemId) ?? Promise.resolve([])
  }

  /** The items whose FP or FN count differs between A and B. */
  async changedItems(): Promise<ReturnType<typeof changedOutcomes>> {
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
