import * as Y from 'yjs'

type DeleteItem = Y.Snapshot['ds']['clients'] extends Map<number, Array<infer D>> ? D : never

interface DeleteLog {
  clients: Map<number, DeleteItem[]>
  dirty: Set<number>
}

const logs = new WeakMap<Y.Doc, DeleteLog>()

const sortAndMerge = (list: DeleteItem[]): void => {
  list.sort((a, b) => a.clock - b.clock)
  let j = 0
  for (let i = 1; i < list.length; i++) {
    const last = list[j] as DeleteItem
    const next = list[i] as DeleteItem
    if (last.clock + last.len >= next.clock) {
      last.len = Math.max(last.len, next.clock + next.len - last.clock)
    } else {
      list[++j] = next
    }
  }
  list.length = Math.min(list.length, j + 1)
}

/**
 * Keeps a running delete set for `doc`, fed by each transaction's own deletes, so that a
 * snapshot costs O(deletes) instead of a walk over the whole struct store (`Y.snapshot`).
 * The first call walks the store once.
 */
export const trackDeletes = (doc: Y.Doc): DeleteLog => {
  const existing = logs.get(doc)
  if (existing) return existing
  const initial = Y.createDeleteSetFromStructStore(doc.store)
  const log: DeleteLog = { clients: new Map(), dirty: new Set() }
  initial.clients.forEach((items, client) => log.clients.set(client, items.map((d) => ({ ...d }))))
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    tr.deleteSet.clients.forEach((items, client) => {
      if (items.length === 0) return
      let list = log.clients.get(client)
      if (!list) log.clients.set(client, (list = []))
      for (const d of items) list.push({ clock: d.clock, len: d.len } as DeleteItem)
      log.dirty.add(client)
    })
  })
  logs.set(doc, log)
  return log
}

/** The same state as `Y.snapshot(doc)`, built from the running delete set. */
export const currentSnapshot = (doc: Y.Doc): Y.Snapshot => {
  const log = trackDeletes(doc)
  for (const client of log.dirty) sortAndMerge(log.clients.get(client) ?? [])
  log.dirty.clear()
  const ds = Y.createDeleteSet()
  log.clients.forEach((items, client) => ds.clients.set(client, items.map((d) => ({ ...d }))))
  return Y.createSnapshot(ds, stateVector(doc))
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
