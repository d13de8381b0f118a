/// <reference lib="webworker" />
import * as Y from 'yjs'
import { IndexeddbPersistence, storeState } from 'y-indexeddb'
import * as D from '../src/domain/index.ts'
import { splitUpdate } from '../src/sync/chunks.ts'
import { appendUpdate, openUpdateLog, readUpdates, replaceUpdates } from '../src/sync/updateLog.ts'

/**
 * The dedicated worker of `bench/workerStore.ts` (bundled by esbuild): seeds the two stores,
 * loads the reference project with y-indexeddb or with our reader, times single-edit writes,
 * y-indexeddb's trim and our compaction, and answers pings at once so the page can measure
 * how long a message posted to the worker waits.
 */

export type Reader = 'y-indexeddb' | 'ours, one transaction' | 'ours, one transaction, update listener first' | 'ours, per piece'
export type Command =
  | { kind: 'ping'; id: number; edit: boolean }
  | { kind: 'seed'; store: 'trimmed' | 'pieces'; name: string }
  | { kind: 'load'; reader: Reader; name: string }
  | { kind: 'writes'; count: number }
  | { kind: 'trim' }
  | { kind: 'compact' }
export type Result = Record<string, number>

const post = (m: unknown): void => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m)
const by: D.Actor = { id: 'bench-worker', name: 'Bench worker' }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

let doc: Y.Doc | null = null
let persistence: IndexeddbPersistence | null = null
let ownLog: IDBDatabase | null = null
let ready = false
let labelIds: D.LabelId[] = []
let editsApplied = 0
let queued = 0

const newDoc = (): Y.Doc => {
  const d = D.newProjectDoc()
  D.trackDeletes(d)
  return d
}

/** One real edit: a label moved, as the grid's box drag writes it on release. */
const edit = (): void => {
  if (!doc) return
  const labels = D.maps(doc).labels
  if (labelIds.length === 0) labelIds = [...labels.keys()] as D.LabelId[]
  const id = labelIds[editsApplied++ % labelIds.length] as D.LabelId
  const label = labels.get(id)
  if (label) D.updateLabel(doc, label.itemId, id, { bbox: [editsApplied % 500, 7, 20, 20] }, by)
}

const fetchList = async (name: string): Promise<Uint8Array[]> => {
  const bytes = new Uint8Array(await (await fetch(`/data/${name}.bin`)).arrayBuffer())
  const lengths = (await (await fetch(`/data/${name}.json`)).json()) as number[]
  let at = 0
  return lengths.map((n) => bytes.slice(at, (at += n)))
}

/** Resolves when every write issued on `db` before this call has committed (transactions on one store run in order). */
const flushed = (db: IDBDatabase): Promise<void> =>
  new Promise((resolve, reject) => {
    const tx = db.transaction('updates', 'readonly')
    tx.objectStore('updates').count()
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
  })

const seed = async (store: 'trimmed' | 'pieces', name: string): Promise<Result> => {
  const small = await fetchList('small')
  if (store === 'trimmed') {
    // y-indexeddb writes it: the whole project stored as one update, trimmed by its own
    // storeState (one encodeStateAsUpdate of the doc), then a few small edits appended.
    const full = new Uint8Array(await (await fetch('/data/full.bin')).arrayBuffer())
    const d = newDoc()
    const p = new IndexeddbPersistence(name, d)
    await p.whenSynced
    Y.applyUpdate(d, full)
    await storeState(p, true)
    for (const u of small) Y.applyUpdate(d, u)
    await sleep(500)
    const db = p.db as IDBDatabase
    await flushed(db)
    await p.destroy()
    return { updates: p._dbsize }
  }
  // Our compaction's layout: the pieces keyed below the last compacted key, then appends.
  const pieces = await fetchList('pieces')
  const db = await openUpdateLog(name)
  await replaceUpdates(db, 1, pieces)
  for (const u of small) await appendUpdate(db, u)
  db.close()
  return { updates: pieces.length + small.length }
}

const load = async (reader: Reader, name: string): Promise<Result> => {
  doc = newDoc()
  const start = performance.now()
  let read = 0
  let count = 0
  let bytes = 0
  if (reader === 'y-indexeddb') {
    persistence = new IndexeddbPersistence(name, doc)
    await persistence.whenSynced
  } else {
    const db = await openUpdateLog(name)
    ownLog = db
    const updates: Uint8Array[] = []
    const target = doc
    // y-indexeddb listens to 'update' before it applies the stored updates, so Yjs encodes
    // the whole loaded transaction once more for that listener; this variant does the same.
    const listener = (): void => undefined
    if (reader === 'ours, one transaction, update listener first') doc.on('update', listener)
    await readUpdates(db, (u) => {
      bytes += u.byteLength
      if (reader === 'ours, per piece') Y.applyUpdate(target, u, 'strata:stored')
      else updates.push(u)
      count++
    })
    read = performance.now() - start
    if (updates.length > 0) target.transact(() => updates.forEach((u) => Y.applyUpdate(target, u)), 'strata:stored')
    doc.off('update', listener)
    doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'strata:stored') void appendUpdate(db, u)
    })
  }
  const loaded = performance.now() - start
  const items = D.maps(doc).items.size
  ready = true
  if (persistence) {
    // y-indexeddb counts its log after 'synced' (untimed).
    await flushed(persistence.db as IDBDatabase)
    count = persistence._dbsize
  }
  // Edits that arrived while loading were queued; they apply now.
  const drainStart = performance.now()
  for (; queued > 0; queued--) edit()
  return { 'to loaded (ms)': loaded, 'reading (ms)': read, 'stored updates': count, 'bytes read': bytes, items, 'queued edits applied (ms)': performance.now() - drainStart }
}

/** The time one small edit takes to be written: from the edit to its IndexedDB transaction's commit. */
const writes = async (count: number): Promise<Result> => {
  const db = persistence ? (persistence.db as IDBDatabase) : ownLog
  if (!db) throw new Error('Nothing loaded')
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const start = performance.now()
    edit()
    await flushed(db)
    times.push(performance.now() - start)
    await sleep(50)
  }
  times.sort((a, b) => a - b)
  return { 'one edit written (ms, median)': times[Math.floor(times.length / 2)] ?? Number.NaN, 'one edit written (ms, max)': times[times.length - 1] ?? Number.NaN }
}

/**
 * y-indexeddb's trim: edits until its log holds 500 updates, then the storeState call its
 * debounce timer would make 1 s later, timed: the synchronous part (re-read and re-apply of
 * the new updates, encodeStateAsUpdate of the whole doc, the put's copy), then the commit.
 */
const trim = async (): Promise<Result> => {
  const p = persistence
  if (!p) throw new Error('trim needs y-indexeddb')
  const db = p.db as IDBDatabase
  const editStart = performance.now()
  while (p._dbsize < 500) edit()
  const editing = performance.now() - editStart
  await flushed(db)
  clearTimeout(p._storeTimeoutId)
  p._storeTimeoutId = null
  const start = performance.now()
  await storeState(p, false)
  const issued = performance.now() - start
  await flushed(db)
  const committed = performance.now() - start
  while (p._dbsize >= 500) await sleep(5)
  return { '500 edits made (ms)': editing, 'trim, until the put was issued (ms)': issued, 'trim, until committed (ms)': committed, 'trim, until old updates deleted (ms)': performance.now() - start, 'updates after trim': p._dbsize }
}

/** Our compaction (what storeWorker.ts does), here in the document's own worker. */
const compact = async (): Promise<Result> => {
  const db = ownLog
  if (!db) throw new Error('compact needs our reader')
  const start = performance.now()
  const updates: Uint8Array[] = []
  const { lastKey } = await readUpdates(db, (u) => updates.push(u))
  const read = performance.now() - start
  const merged = updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates)
  const pieces = splitUpdate(merged)
  const computed = performance.now() - start
  if (lastKey !== null) await replaceUpdates(db, lastKey, pieces)
  return { 'compact, reading (ms)': read, 'compact, merge + split (ms)': computed - read, 'compact, until committed (ms)': performance.now() - start, 'pieces after compaction': pieces.length }
}

const run = (m: Exclude<Command, { kind: 'ping' }>): Promise<Result> => {
  switch (m.kind) {
    case 'seed':
      return seed(m.store, m.name)
    case 'load':
      return load(m.reader, m.name)
    case 'writes':
      return writes(m.count)
    case 'trim':
      return trim()
    case 'compact':
      return compact()
  }
}

self.onmessage = (event: MessageEvent<Command>) => {
  const m = event.data
  if (m.kind === 'ping') {
    // Answer first: the page times from posting to this answer (how long a message waited).
    post({ kind: 'pong', id: m.id })
    if (m.edit) {
      if (ready) edit()
      else queued++
    }
    return
  }
  run(m).then(
    (result) => post({ kind: 'result', result }),
    (error: unknown) => post({ kind: 'error', message: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }),
  )
}
post({ kind: 'ready' })
