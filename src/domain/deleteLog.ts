import * as Y from 'yjs'

type DeleteItem = Y.Snapshot['ds']['clients'] extends Map<number, Array<infer D>> ? D : never

interface DeleteLog {
  clients: Map<number, DeleteItem[]>
  /** Clients whose list got ranges since it was last sorted and merged. */
  dirty: Set<number>
  /** Clients whose list is shared with the cached snapshot and must be copied before a change. */
  shared: Set<number>
  snapshot: Y.Snapshot | null
}

const logs = new WeakMap<Y.Doc, DeleteLog>()

/** Sorts and merges ranges into a new list, leaving the (possibly shared) input untouched. */
const sortAndMerge = (list: readonly DeleteItem[]): DeleteItem[] => {
  const sorted = [...list].sort((a, b) => a.clock - b.clock)
  const out: DeleteItem[] = []
  for (const next of sorted) {
    const last = out[out.length - 1]
    if (last && last.clock + last.len >= next.clock) {
      out[out.length - 1] = { clock: last.clock, len: Math.max(last.len, next.clock + next.len - last.clock) } as DeleteItem
    } else {
      out.push(next)
    }
  }
  return out
}

const record = (log: DeleteLog, tr: Y.Transaction): void => {
  log.snapshot = null
  tr.deleteSet.clients.forEach((items, client) => {
    if (items.length === 0) return
    let list = log.clients.get(client) ?? []
    if (log.shared.delete(client)) list = [...list]
    for (const d of items) list.push({ clock: d.clock, len: d.len } as DeleteItem)
    log.clients.set(client, list)
    log.dirty.add(client)
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
  const log: DeleteLog = { clients: new Map(), dirty: new Set(), shared: new Set(), snapshot: null }
  initial.clients.forEach((items, client) => log.clients.set(client, items.map((d) => ({ clock: d.clock, len: d.len }) as DeleteItem)))
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
  for (const client of log.dirty) log.clients.set(client, sortAndMerge(log.clients.get(client) ?? []))
  log.dirty.clear()
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
