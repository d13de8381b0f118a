import * as Y from 'yjs'
import { CONTENT, type ContentName, maps } from './project.ts'
import { currentSnapshot, stateVector } from './deleteLog.ts'
import { mapGetAt } from './snapshotRead.ts'

type DeleteItem = Y.Snapshot['ds']['clients'] extends Map<number, Array<infer D>> ? D : never
type Range = { clock: number; len: number }

/** Keys of each content map whose value may differ between two states. */
export type ChangedKeys = Record<ContentName, Set<string>>

/** Parts of `a` (sorted, merged ranges) that `b` does not cover, below `limit`. */
const subtract = (a: readonly DeleteItem[], b: readonly DeleteItem[], limit: number): Range[] => {
  const out: Range[] = []
  let j = 0
  for (const r of a) {
    let start = r.clock
    const end = Math.min(r.clock + r.len, limit)
    while (start < end) {
      while (j < b.length && (b[j] as DeleteItem).clock + (b[j] as DeleteItem).len <= start) j++
      const cover = b[j]
      if (!cover || cover.clock >= end) {
        out.push({ clock: start, len: end - start })
        break
      }
      if (cover.clock > start) out.push({ clock: start, len: cover.clock - start })
      start = cover.clock + cover.len
    }
  }
  return out
}

const emptyKeys = (): ChangedKeys => ({
  meta: new Set(), classes: new Set(), items: new Set(), labels: new Set(), tags: new Set(), runs: new Set(),
})

/**
 * Finds every map key whose record may differ between two snapshots (`null` = the live
 * document; the order does not matter), in O(structs written or deleted between them), not O(document): it
 * visits only the structs outside the smaller state vector and the delete ranges the two
 * delete sets disagree on. Values are then compared by the caller.
 */
export const changedKeys = (doc: Y.Doc, first: Y.Snapshot | null, second: Y.Snapshot | null): ChangedKeys => {
  if (first === null && second === null) return emptyKeys()
  const [a, b] = first === null ? [second as Y.Snapshot, null] : [first, second]
  const m = maps(doc)
  const parents = new Map<Y.AbstractType<unknown>, ContentName>(CONTENT.map((name) => [m[name] as Y.AbstractType<unknown>, name]))
  const keys = emptyKeys()
  const bSnap = b ?? currentSnapshot(doc)
  const live = b === null ? bSnap.sv : stateVector(doc)
  const visit = (structs: Array<Y.Item | Y.GC>, from: number, to: number): void => {
    if (from >= to) return
    for (let i = Y.findIndexSS(structs, from); i < structs.length; i++) {
      const s = structs[i] as Y.Item | Y.GC
      if (s.id.clock >= to) break
      if (!(s instanceof Y.Item) || s.parentSub === null) continue
      const name = parents.get(s.parent as Y.AbstractType<unknown>)
      if (name) keys[name].add(s.parentSub)
    }
  }
  doc.store.clients.forEach((structs, client) => {
    const known = live.get(client) ?? 0
    const ca = Math.min(a.sv.get(client) ?? 0, known)
    const cb = Math.min(bSnap.sv.get(client) ?? 0, known)
    const low = Math.min(ca, cb)
    visit(structs, low, Math.max(ca, cb))
    const da = a.ds.clients.get(client) ?? []
    const db = bSnap.ds.clients.get(client) ?? []
    for (const r of [...subtract(da, db, low), ...subtract(db, da, low)]) visit(structs, r.clock, r.clock + r.len)
  })
  return keys
}

/** The value of `key` in `map` as it was at `at` (`null` = now). */
export const valueAt = <V>(map: Y.Map<V>, key: string, at: Y.Snapshot | null): V | undefined =>
  at === null ? map.get(key) : mapGetAt(map, key, at)

/** Structural equality for the plain JSON-like records the document holds. */
export const sameValue = (x: unknown, y: unknown): boolean => {
  if (x === y) return true
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false
  if (x instanceof Uint8Array || y instanceof Uint8Array) {
    return x instanceof Uint8Array && y instanceof Uint8Array && x.length === y.length && x.every((v, i) => v === y[i])
  }
  if (Array.isArray(x) !== Array.isArray(y)) return false
  const kx = Object.keys(x)
  const ky = Object.keys(y)
  if (kx.length !== ky.length) return false
  const rx = x as Record<string, unknown>
  const ry = y as Record<string, unknown>
  return kx.every((k) => Object.hasOwn(ry, k) && sameValue(rx[k], ry[k]))
}
