import * as Y from 'yjs'

type DeleteItem = Y.Snapshot['ds']['clients'] extends Map<number, Array<infer D>> ? D : never

interface DeleteLog {
  /** Per client: sorted, merged ranges. */
  clients: Map<number, DeleteItem[]>
  /** Clients whose list is shared with the cached snapshot and must be copied before a change. */
  shared: Set<number>
  snapshot: Y.Snapshot | null
}

const logs = new WeakMap<Y.Doc, DeleteLog>()

const range = (clock: number, len: number): DeleteItem => ({ clock, len }) as DeleteItem

/** Index of the first range that ends at or after `clock` (binary search). */
const firstEndingFrom = (list: readonly DeleteItem[], clock: number): number => {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const r = list[mid] as DeleteItem
    if (r.clock + r.len < clock) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Inserts one range into a sorted, merged list, merging with the ranges it touches. */
const insert = (list: DeleteItem[], clock: number, len: number): void => {
  let start = clock
  let end = clock + len
  const from = firstEndingFrom(list, start)
  let to = from
  while (to < list.length && (list[to] as DeleteItem).clock <= end) {
    const r = list[to] as DeleteItem
    start = Math.min(start, r.clock)
    end = Math.max(end, r.clock + r.len)
    to++
  }
  list.splice(from, to - from, range(start, end - start))
}

const record = (log: DeleteLog, tr: Y.Transaction): void => {
  log.snapshot = null
  tr.deleteSet.clients.forEach((items, client) => {
    if (items.length === 0) return
    let list = log.clients.get(client) ?? []
    if (log.shared.delete(client)) list = [...list]
    for (const d of items) insert(list, d.clock, d.len)
    log.clients.set(client, list)
  })
}

/**
 * Keeps a running delete set for `doc`, fed by each transaction's own deletes, so that a
 * snapshot costs O(clients touched) instead of a walk over the whole struct store
 * (`Y.snapshot`). The first call walks the store once.
 */
export const trackDeletes = (doc: Y.Doc): DeleteLog => {
  const existing = logs.get(doc)
  if (existing) return existing
  const initial = Y.createDeleteSetFromStructStore(doc.store)
  const log: DeleteLog = { clients: new Map(), shared: new Set(), snapshot: null }
  initial.clients.forEach((items, client) => log.clients.set(client, items.map((d) => range(d.clock, d.len))))
  doc.on('afterTransaction', (tr: Y.Transaction) => record(log, tr))
  logs.set(doc, log)
  return log
}

/**
 * The same state as `Y.snapshot(doc)`, from the running delete set. The result is cached
 * until the next transaction and shares its lists with the log (copied on the next write).
 * Inside a transaction it reflects the state before that transaction's deletes: domain
 * writes call it before their first change.
 */
export const currentSnapshot = (doc: Y.Doc): Y.Snapshot => {
  const log = trackDeletes(doc)
  if (log.snapshot) return log.snapshot
  const ds = Y.createDeleteSet()
  log.clients.forEach((items, client) => {
    ds.clients.set(client, items)
    log.shared.add(client)
  })
  log.snapshot = Y.createSnapshot(ds, stateVector(doc))
  return log.snapshot
}

/** The document's state vector as a map of client to next clock. */
export const stateVector = (doc: Y.Doc): Map<number, number> => {
  const sv = new Map<number, number>()
  doc.store.clients.forEach((structs, client) => {
    const last = structs[structs.length - 1]
    if (last) sv.set(client, last.id.clock + last.length)
  })
  return sv
}
