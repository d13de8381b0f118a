import type * as Y from 'yjs'
import { createSubscriber } from 'svelte/reactivity'
import { type VersionId, countChanges } from '../domain/index.ts'

/** Runs `task` later, after `delayMs` at least; returns a cancel. */
export type Later = (task: () => void, delayMs: number) => () => void

/**
 * After the next frame has painted (a timer set in `requestAnimationFrame` fires after
 * that frame), in idle time: the grid of a just-opened version paints first.
 */
export const whenIdle: Later = (task, delayMs) => {
  if (typeof requestIdleCallback !== 'function' || typeof requestAnimationFrame !== 'function') {
    const id = setTimeout(task, delayMs)
    return () => clearTimeout(id)
  }
  let cancel = (): void => undefined
  const idle = (): void => {
    const id = requestIdleCallback(task, { timeout: 1_000 })
    cancel = () => cancelIdleCallback(id)
  }
  const timer = (ms: number): void => {
    const id = setTimeout(idle, ms)
    cancel = () => clearTimeout(id)
  }
  if (delayMs > 0) timer(delayMs)
  else {
    const frame = requestAnimationFrame(() => timer(0))
    cancel = () => cancelAnimationFrame(frame)
  }
  return () => cancel()
}

type Count = { edits: number; total: number; ms: number; doneAt: number }

/** Main-thread time one slice of a count may take before it lets a frame paint. */
const SLICE_MS = 10

/** Spacing between recounts while latest keeps changing: a second, or a few times what a count costs. */
const recountDelay = (last: Count): number => Math.max(0, Math.max(1_000, 4 * last.ms) - (performance.now() - last.doneAt))

/**
 * How many records latest has changed since an old version. Counting is O(changes since
 * that version) (about 100,000 label changes for the oldest version of the 100k reference
 * project), so it never runs on the way to the first paint: it runs in idle time, in
 * slices of `SLICE_MS` with a frame between them, and is kept per version until latest
 * changes; while latest keeps changing, the last count is shown and recounted at most
 * every `recountDelay`.
 */
export class ChangesSince {
  #counts = new Map<VersionId, Count>()
  /** Transactions that changed latest: a count made at another value is out of date. */
  #edits = 0
  #queued: { versionId: VersionId; cancel: () => void } | null = null
  #notify: (() => void) | null = null
  #subscribe = createSubscriber((update) => {
    this.#notify = update
    return () => {
      this.#notify = null
      // Nobody shows a count any more: do not spend the main thread on it.
      this.#queued?.cancel()
      this.#queued = null
    }
  })

  constructor(
    readonly live: Y.Doc,
    readonly later: Later = whenIdle,
  ) {
    live.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.changed.size === 0) return
      this.#edits++
      this.#notify?.()
    })
  }

  /** Records changed on latest since the version at `at`; null until first counted. */
  of(versionId: VersionId, at: Y.Snapshot): number | null {
    this.#subscribe()
    const known = this.#counts.get(versionId)
    if (known?.edits === this.#edits) return known.total
    this.#queue(versionId, at, known ? recountDelay(known) : 0)
    return known?.total ?? null
  }

  #queue(versionId: VersionId, at: Y.Snapshot, delayMs: number): void {
    if (this.#queued?.versionId === versionId) return
    this.#queued?.cancel()
    const counting = countChanges(this.live, at, null)
    let edits: number | null = null
    let ms = 0
    const slice = (): void => {
      const start = performance.now()
      edits ??= this.#edits
      let step = counting.next()
      while (!step.done && performance.now() - start < SLICE_MS) step = counting.next()
      const doneAt = performance.now()
      ms += doneAt - start
      if (!step.done) {
        this.#queued = { versionId, cancel: this.later(slice, 0) }
        return
      }
      this.#queued = null
      // Counted at `edits`: if latest changed meanwhile, the next read counts again.
      this.#counts.set(versionId, { edits, total: step.value, ms, doneAt })
      this.#notify?.()
    }
    const cancel = this.later(slice, delayMs)
    this.#queued = { versionId, cancel }
  }
}
