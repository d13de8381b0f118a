import * as Y from 'yjs'
import { recordProblem } from '../src/domain/schema.ts'

/** Strata's top-level maps: every value in them must be a valid record. */
const STRATA_MAPS = new Set(['meta', 'classes', 'items', 'labels', 'tags', 'runs', 'versions'])

type Place = { root: string; key: string | null } | 'nested' | 'missing'

/** The struct of the update covering `id`, by binary search (an update's structs are sorted by clock). */
const inUpdate = (byClient: Map<number, Y.Item[]>, id: Y.ID): Y.Item | undefined => {
  const list = byClient.get(id.client) ?? []
  let lo = 0
  let hi = list.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const s = list[mid] as Y.Item
    if (id.clock < s.id.clock) hi = mid - 1
    else if (id.clock >= s.id.clock + s.length) lo = mid + 1
    else return s
  }
  return undefined
}

/**
 * Where an incoming struct lands. An overwrite of a map key is encoded with its origin (the
 * previous entry of the key) instead of its parent and key, so those are read from the
 * origin: in the same update, or in the room's document.
 */
const placeOf = (doc: Y.Doc, byClient: Map<number, Y.Item[]>, item: Y.Item, depth = 0): Place => {
  if (typeof item.parent === 'string') return { root: item.parent, key: item.parentSub }
  if (item.parent !== null) return 'nested'
  const origin = item.origin ?? item.rightOrigin
  if (origin === null || depth > 10_000) return 'nested'
  const local = inUpdate(byClient, origin)
  if (local) return placeOf(doc, byClient, local, depth + 1)
  let found: Y.Item | Y.GC
  try {
    found = Y.getItem(doc.store, origin)
  } catch {
    return 'missing'
  }
  if (!(found instanceof Y.Item) || !(found.parent instanceof Y.AbstractType) || found.parent._item !== null) return 'nested'
  return { root: Y.findRootTypeKey(found.parent), key: found.parentSub }
}

/**
 * Why an update a client sent would put a malformed record into the project, or null when
 * every record it writes is valid. Readers trust the records they read; this is the edge.
 */
export const findRecordProblem = (doc: Y.Doc, update: Uint8Array): string | null => {
  const structs = Y.decodeUpdate(update).structs.filter((s): s is Y.Item => s instanceof Y.Item)
  const byClient = new Map<number, Y.Item[]>()
  for (const s of structs) {
    const list = byClient.get(s.id.client)
    if (list) list.push(s)
    else byClient.set(s.id.client, [s])
  }
  for (const s of structs) {
    const place = placeOf(doc, byClient, s)
    if (place === 'missing') return 'the update builds on changes the server does not have'
    if (place === 'nested' || !STRATA_MAPS.has(place.root)) continue
    if (place.key === null) return `"${place.root}" is a keyed map, not a list`
    if (s.content instanceof Y.ContentDeleted) continue
    if (!(s.content instanceof Y.ContentAny)) return `"${place.root}" holds plain records only`
    for (const value of s.content.getContent()) {
      const problem = recordProblem(place.root, place.key, value)
      if (problem) return `${place.root} "${place.key.slice(0, 80)}": ${problem}`
    }
  }
  return null
}
