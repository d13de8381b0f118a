import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'

/**
 * Splitting a stored document update into small updates that apply in order, so a big
 * project loads in many short tasks instead of one that freezes the page for seconds.
 * Runs in the load worker; pure, so Node tests hold it against applying the whole update.
 */

type Struct = Y.Item | Y.GC | Y.Skip
type DeleteRange = { clock: number; len: number }
type Dep = { client: number; clock: number }

/** How much goes into one piece: a few milliseconds of applying on a slow machine. */
export interface ChunkSize {
  structs: number
  deleteRanges: number
}

export const DEFAULT_CHUNK: ChunkSize = { structs: 1_000, deleteRanges: 10_000 }

const depsOf = (s: Struct): Dep[] => {
  if (!(s instanceof Y.Item)) return []
  const deps: Dep[] = []
  if (s.origin) deps.push(s.origin)
  if (s.rightOrigin) deps.push(s.rightOrigin)
  if (s.parent instanceof Y.ID) deps.push(s.parent)
  return deps
}

const encode = (structs: Map<number, Struct[]>, deletes: Array<[number, DeleteRange[]]>): Uint8Array => {
  const encoder = new Y.UpdateEncoderV1()
  encoding.writeVarUint(encoder.restEncoder, structs.size)
  // Higher client ids first, as Yjs writes them.
  for (const [client, list] of [...structs].sort((a, b) => b[0] - a[0])) {
    const first = list[0]
    if (!first) continue
    encoding.writeVarUint(encoder.restEncoder, list.length)
    encoder.writeClient(client)
    encoding.writeVarUint(encoder.restEncoder, first.id.clock)
    for (const s of list) s.write(encoder, 0)
  }
  encoding.writeVarUint(encoder.restEncoder, deletes.length)
  for (const [client, ranges] of deletes) {
    encoder.resetDsCurVal()
    encoding.writeVarUint(encoder.restEncoder, client)
    encoding.writeVarUint(encoder.restEncoder, ranges.length)
    for (const r of ranges) {
      encoder.writeDsClock(r.clock)
      encoder.writeDsLen(r.len)
    }
  }
  return encoder.toUint8Array()
}

/**
 * Orders structs so that each piece holds only structs whose origins are already applied
 * (a piece that depended on a later one would sit in Yjs's pending store and be re-merged
 * on every following piece). Returns null when no such order exists (a gap in the update).
 */
const causalPieces = (byClient: Map<number, Struct[]>, size: number): Array<Map<number, Struct[]>> | null => {
  const next = new Map<number, number>()
  const at = new Map<number, number>()
  let left = 0
  byClient.forEach((list, client) => {
    next.set(client, list[0]?.id.clock ?? 0)
    at.set(client, 0)
    left += list.length
  })
  const ready = (dep: Dep): boolean => {
    const frontier = next.get(dep.client)
    return frontier === undefined || dep.clock < frontier
  }
  const pieces: Array<Map<number, Struct[]>> = []
  let piece = new Map<number, Struct[]>()
  let count = 0
  while (left > 0) {
    let moved = false
    for (const [client, list] of byClient) {
      let i = at.get(client) ?? 0
      for (let s = list[i]; s && depsOf(s).every(ready); s = list[++i]) {
        let run = piece.get(client)
        if (!run) piece.set(client, (run = []))
        run.push(s)
        next.set(client, s.id.clock + s.length)
        moved = true
        left--
        if (++count >= size) {
          pieces.push(piece)
          piece = new Map()
          count = 0
        }
      }
      at.set(client, i)
    }
    if (!moved) return null
  }
  if (count > 0) pieces.push(piece)
  return pieces
}

/**
 * Splits one update (V1) into updates that, applied in order, give the same document.
 * Structs come first in causal order; the delete set follows in pieces of its own.
 * An update with gaps (Skip structs, missing origins) is returned whole.
 */
export const splitUpdate = (update: Uint8Array, size: ChunkSize = DEFAULT_CHUNK): Uint8Array[] => {
  const { structs, ds } = Y.decodeUpdate(update)
  const byClient = new Map<number, Struct[]>()
  for (const s of structs as Struct[]) {
    if (s instanceof Y.Skip) return [update]
    let list = byClient.get(s.id.client)
    if (!list) byClient.set(s.id.client, (list = []))
    list.push(s)
  }
  const pieces = causalPieces(byClient, size.structs)
  if (!pieces) return [update]
  const out = pieces.map((piece) => encode(piece, []))
  let deletes: Array<[number, DeleteRange[]]> = []
  let ranges = 0
  ds.clients.forEach((items, client) => {
    for (let i = 0; i < items.length; ) {
      const take = Math.min(items.length - i, size.deleteRanges - ranges)
      deletes.push([client, items.slice(i, i + take)])
      i += take
      ranges += take
      if (ranges >= size.deleteRanges) {
        out.push(encode(new Map(), deletes))
        deletes = []
        ranges = 0
      }
    }
  })
  if (deletes.length > 0 || out.length === 0) out.push(encode(new Map(), deletes))
  return out
}
