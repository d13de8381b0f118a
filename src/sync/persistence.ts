import * as Y from 'yjs'
import { assertHistoryKept, newProjectDoc, trackDeletes } from '../domain/index.ts'
import { appendUpdate, openUpdateLog } from './updateLog.ts'
import { SaveHealth } from './saveHealth.ts'
import { type Loaded, compactStored, loadStored } from './storedLog.ts'

/** A project's document as this browser keeps it: loaded from IndexedDB, saved on every change. */
export interface LocalProject {
  doc: Y.Doc
  /** Whether changes are being saved on this device (absent where nothing is stored). */
  saving?: SaveHealth
  /** Bytes of updates this document holds in storage: what was read at load plus what was appended since. */
  readonly bytes?: number
  /** True while a change is not yet stored on this device: a write in flight, or one that failed and was not yet covered. */
  readonly unsaved?: boolean
  /** Settles once every write started so far (and any started meanwhile) has been stored or has failed. */
  settled?(): Promise<void>
  destroy(): void
}

/** How far the load is: stored updates applied out of all of them. */
export type LoadProgress = (applied: number, total: number) => void

/** The IndexedDB database name of one project's document. */
export const databaseName = (projectId: string): string => `strata:doc:${projectId}`

/** Transaction origin of updates read back from storage (never written back). */
export const STORED = 'strata:stored'

/**
 * Apply stored pieces for at least this long, and at most the longer one, before letting the
 * page paint and scroll: a slice as long as the page's own work in between.
 */
const SLICE_MS = 8
const MAX_SLICE_MS = 32
/** Compact the log once this many bytes or updates were appended since the last compaction. */
const COMPACT_BYTES = 4_000_000
const COMPACT_COUNT = 500
const COMPACT_DELAY_MS = 1_000
/** After a failed save, the whole document is saved again at most this often. */
const RETRY_WHOLE_MS = 500

const nextTask = (): Promise<void> =>
  new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => resolve()
    channel.port2.postMessage(null)
  })

/** Applies updates as they arrive, a time slice per task, in arrival order. */
const applier = (doc: Y.Doc, onProgress: LoadProgress) => {
  const queue: Uint8Array[] = []
  let applied = 0
  let total = 0
  let running: Promise<void> | null = null
  let busy = 0
  const drain = async (): Promise<void> => {
    let slice = SLICE_MS
    while (queue.length > 0) {
      const start = performance.now()
      for (let u = queue.shift(); u; u = performance.now() - start < slice ? queue.shift() : undefined) {
        Y.applyUpdate(doc, u, STORED)
        applied++
      }
      const paused = performance.now()
      busy += paused - start
      onProgress(applied, total)
      await nextTask()
      // Share the thread about evenly with whatever ran meanwhile (frames, scrolling).
      slice = Math.min(MAX_SLICE_MS, Math.max(SLICE_MS, performance.now() - paused))
    }
    running = null
  }
  return {
    push(update: Uint8Array, count: number): void {
      total = count
      queue.push(update)
      running ??= drain()
    },
    finished: (): Promise<void> => running ?? Promise.resolve(),
    /** Milliseconds spent applying, for the load's performance entry. */
    busy: (): number => busy,
  }
}

/**
 * Opens a project's document from IndexedDB, in the engine worker: the stored updates are
 * applied in short slices, so the engine keeps answering its tabs meanwhile; the log is
 * compacted into small pieces after a big first sync or many small writes. The delete log
 * is started before the first stored update is applied, so snapshots never need a walk over
 * the whole store. `mark` records a performance mark where the tabs can see it; `compact` runs
 * the compaction (in a worker of its own: in the document's thread it blocks for tens of seconds).
 */
/** Compacts a stored log somewhere other than the document's thread; settles when done. */
export type Compact = (name: string) => Promise<void>

/** Compaction in this thread: for Node tools and tests, where nothing else waits on it. */
const inThread = (factory?: IDBFactory): Compact => (name) => compactStored(name, factory).then(() => undefined)

export const openLocalProject = async (
  projectId: string, onProgress: LoadProgress = () => undefined, mark: (name: string) => void = () => undefined, compact?: Compact, factory?: IDBFactory,
): Promise<LocalProject> => {
  const compactLog = compact ?? inThread(factory)
  const name = databaseName(projectId)
  const doc = newProjectDoc()
  assertHistoryKept(doc)
  trackDeletes(doc)
  const apply = applier(doc, onProgress)
  let appended = { bytes: 0, count: 0 }
  let compactTimer: ReturnType<typeof setTimeout> | undefined
  let compacting = false
  const compactSoon = (): void => {
    if (appended.bytes < COMPACT_BYTES && appended.count < COMPACT_COUNT) return
    clearTimeout(compactTimer)
    compactTimer = setTimeout(() => {
      // One at a time: a second whole-log merge would only repeat the first's work.
      if (compacting) return compactSoon()
      appended = { bytes: 0, count: 0 }
      compacting = true
      compactLog(name).then(() => mark('strata:compacted'), (error: unknown) => console.warn('The stored document was not compacted:', error)).finally(() => (compacting = false))
    }, COMPACT_DELAY_MS)
  }
  const stats: Loaded = await loadStored(name, apply.push, factory).catch((error: unknown) => {
    // A failed load leaves nothing running behind it.
    doc.destroy()
    throw error
  })
  mark('strata:stored-read')
  await apply.finished()
  performance.measure('strata:applying stored updates', { start: 0, duration: apply.busy() })
  onProgress(stats.count, stats.count)
  // Updates that are not yet small pieces (a first sync, many small edits) get compacted.
  appended = { bytes: stats.count > stats.pieces ? COMPACT_BYTES : 0, count: stats.count - stats.pieces }
  compactSoon()
  const db = await openUpdateLog(name, factory)
  const saving = new SaveHealth()
  // Writes are numbered; `lastFailed` is the newest one that failed (-1: none since the last
  // whole-document save). A whole-document write covers every write numbered up to its own.
  let written = 0
  let lastFailed = -1
  let stored = stats.bytes
  const inFlight = new Set<Promise<void>>()
  let wholeTimer: ReturnType<typeof setTimeout> | undefined
  const write = (bytes: Uint8Array, whole: boolean): void => {
    const mine = written++
    appended = { bytes: appended.bytes + bytes.byteLength, count: appended.count + 1 }
    stored += bytes.byteLength
    const writing = appendUpdate(db, bytes).then(
      () => {
        if (whole && mine > lastFailed) lastFailed = -1
        if (lastFailed < 0) saving.saved()
        compactSoon()
      },
      (error: unknown) => {
        lastFailed = Math.max(lastFailed, mine)
        saving.failed(error)
      },
    )
    inFlight.add(writing)
    void writing.finally(() => inFlight.delete(writing))
  }
  const store = (update: Uint8Array, origin: unknown): void => {
    if (origin === STORED) return
    if (lastFailed < 0) return write(update, false)
    // After a failed save (a full disk), the next edits lead to one whole-document save (at
    // most one per RETRY_WHOLE_MS, as encoding a big project is costly), so what failed is
    // stored as soon as there is room again. Until then the sidebar says so.
    wholeTimer ??= setTimeout(() => {
      wholeTimer = undefined
      write(Y.encodeStateAsUpdate(doc), true)
    }, RETRY_WHOLE_MS)
  }
  doc.on('update', store)
  return {
    doc,
    saving,
    get bytes() { return stored },
    get unsaved() { return inFlight.size > 0 || lastFailed >= 0 || wholeTimer !== undefined },
    settled: async () => {
      while (inFlight.size > 0) await Promise.all(inFlight)
    },
    destroy: () => {
      clearTimeout(compactTimer)
      clearTimeout(wholeTimer)
      doc.off('update', store)
      db.close()
      doc.destroy()
    },
  }
}
