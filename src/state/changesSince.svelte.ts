import type * as Y from 'yjs'
import { createSubscriber } from 'svelte/reactivity'
import { type VersionId, summarize } from '../domain/index.ts'

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

/** Spacing between recounts while latest keeps changing: a second, or a few times what a count costs. */
const recountDelay = (last: Count): number => Math.max(0, Math.max(1_000, 4 * last.ms) - (performance.now() - last.doneAt))

/**
 * How many records latest has changed since an old version. Counting is O(changes since
 * that version) (about 100,000 label changes for the oldest version of the 100k reference
 * project), so it never runs on the way to the first paint: it runs once in idle time and
 * is kept per version until latest changes; while latest keeps changing, the last count
 * is shown and recounted at most every `recountDelay`.
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
    const cancel = this.later(() => {
      this.#queued = null
      const start = performance.now()
      const edits = this.#edits
      const { total } = summarize(this.live, at, null)
      const doneAt = performance.now()
      this.#counts.set(versionId, { edits, total, ms: doneAt - start, doneAt })
      this.#notify?.()
    }, delayMs)
    this.#queued = { versionId, cancel }
  }
}
