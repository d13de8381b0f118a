import * as Y from 'yjs'

type Entry = Y.Item

/**
 * The value a map entry had at `at`. Unlike `Y.typeMapGetSnapshot`, this is right when the
 * same client set a key twice in a row and both writes were later deleted: Yjs then merges
 * the two structs into one of length 2, and a snapshot taken between the writes must read
 * the first value, not the last one.
 */
const visibleAt = (entry: Entry | null, at: Y.Snapshot): { value: unknown } | undefined => {
  for (let v = entry; v !== null; v = v.left) {
    const limit = at.sv.get(v.id.client) ?? 0
    if (v.id.clock >= limit) continue
    const index = Math.min(v.length, limit - v.id.clock) - 1
    if (Y.isDeleted(at.ds, Y.createID(v.id.client, v.id.clock + index))) return undefined
    return { value: v.content.getContent()[index] }
  }
  return undefined
}

const entries = (map: Y.Map<unknown>): Map<string, Entry> => (map as unknown as { _map: Map<string, Entry> })._map

/** One key of a keyed map as it was at snapshot `at`. */
export const mapGetAt = <V>(map: Y.Map<V>, key: string, at: Y.Snapshot): V | undefined =>
  visibleAt(entries(map as Y.Map<unknown>).get(key) ?? null, at)?.value as V | undefined

/** Every key of a keyed map as it was at snapshot `at`. */
export const mapEntriesAt = <V>(map: Y.Map<V>, at: Y.Snapshot): Array<[string, V]> => {
  const out: Array<[string, V]> = []
  entries(map as Y.Map<unknown>).forEach((entry, key) => {
    const hit = visibleAt(entry, at)
    if (hit) out.push([key, hit.value as V])
  })
  return out
}
