import type * as Y from 'yjs'
import { type VersionId, countChanges } from '../domain/index.ts'

type Count = { edits: number; total: number; ms: number; doneAt: number }

/** Engine time one slice of a count may take before the engine answers its tabs again. */
const SLICE_MS = 10

/** Spacing between recounts while latest keeps changing: a second, or a few times what a count costs. */
const recountDelay = (last: Count): number => Math.max(0, Math.max(1_000, 4 * last.ms) - (performance.now() - last.doneAt))

/**
 * How many records latest has changed since an old version. Counting is O(changes since
 * that version) (about 100,000 label changes for the oldest version of the 100k reference),
 * so it runs after the version's first screen went out, in slices, and is kept per version
 * until latest changes; while latest keeps changing, the last count is shown and recounted
 * at most every `recountDelay`.
 */
export class ChangesSince {
  #counts = new Map<VersionId, Count>()
  /** Transactions that changed latest: a count made at another value is out of date. */
  #edits = 0
  #queued: { versionId: VersionId; timer: ReturnType<typeof setTimeout> } | null = null

  constructor(readonly counted: () => void) {}

  latestChanged(): void {
    this.#edits++
  }

  /** Records changed on latest since the version at `at`; null until first counted. */
  of(live: Y.Doc, versionId: VersionId, at: Y.Snapshot): number | null {
    const known = this.#counts.get(versionId)
    if (known?.edits === this.#edits) return known.total
    this.#queue(live, versionId, at, known ? recountDelay(known) : 0)
    return known?.total ?? null
  }

  stop(): void {
    if (this.#queued) clearTimeout(this.#queued.timer)
    this.#queued = null
  }

  #queue(live: Y.Doc, versionId: VersionId, at: Y.Snapshot, delayMs: number): void {
    if (this.#queued?.versionId === versionId) return
    this.stop()
    const counting = countChanges(live, at, null)
    const edits = this.#edits
    let ms = 0
    const slice = (): void => {
      const start = performance.now()
      let step = counting.next()
      while (!step.done && performance.now() - start < SLICE_MS) step = counting.next()
      const doneAt = performance.now()
      ms += doneAt - start
      if (!step.done) {
        this.#queued = { versionId, timer: setTimeout(slice, 0) }
        return
      }
      this.#queued = null
      // Counted at `edits`: if latest changed meanwhile, the next read counts again.
      this.#counts.set(versionId, { edits, total: step.value, ms, doneAt })
      this.counted()
    }
    this.#queued = { versionId, timer: setTimeout(slice, delayMs) }
  }
}
