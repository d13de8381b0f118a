import * as Y from 'yjs'
import { RECORD_MAPS, recordProblem } from '../src/domain/schema.ts'
import { recordProblem as schemaProblem } from '../src/domain/rules.ts'
import { CUT, ROOT_META, SHARD_META } from '../src/domain/sharded/index.ts'

/** Maps only a sharded project's root holds; a shard's update that writes them is refused. */
const ROOT_ONLY: ReadonlySet<string> = new Set(['classes', 'runs', 'deletedVersions'])

/** Which room an update is for: a project's root (`null`) or shard i. */
type RoomShard = number | null

/** Meta fields that place records (the shard count, a shard's place): once set, every replica relies on them. */
const fixedMeta = (shard: RoomShard): readonly string[] => (shard === null ? ['shards'] : ['shard', 'of'])

const metaProblem = (shard: RoomShard, key: string, value: unknown): string | null => {
  const fields: Record<string, (v: unknown) => string | null> = shard === null ? ROOT_META : SHARD_META
  const rule = fields[key]
  if (rule === undefined) return 'unknown field'
  const problem = rule(value) ?? (shard !== null && key === 'shard' && value !== shard ? `must be ${shard}, the shard this room is` : null)
  return problem === null ? null : `bad value: ${problem}`
}

/** A root's version record that names shard records is a cut, checked as one. */
const isCut = (value: unknown): boolean => typeof value === 'object' && value !== null && Object.hasOwn(value, 'shards')

/**
 * The problem of a record in a room: a project's root (schema 1's document, whose meta may
 * also name its shard count, and whose versions may be cuts) or one of its shards (items,
 * labels, tags, its version records, and a meta naming its place).
 */
const problemIn = (shard: RoomShard, map: string, key: string, value: unknown): string | null => {
  if (map === 'meta') return metaProblem(shard, key, value)
  if (shard !== null && ROOT_ONLY.has(map)) return 'belongs to the project\'s root document, not a shard'
  if (shard === null && map === 'versions' && isCut(value)) return schemaProblem(CUT, value)
  return recordProblem(map, key, value)
}

/**
 * Why an update changes a fixed meta field the room's document holds: it writes another value,
 * or deletes the field without writing the same value again (an overwrite deletes the entry it
 * replaces). `written` holds what the update writes to meta.
 */
const fixedMetaProblem = (doc: Y.Doc, shard: RoomShard, ds: ReturnType<typeof Y.decodeUpdate>['ds'], written: Map<string, unknown[]>): string | null => {
  const meta = doc.getMap('meta')
  for (const key of fixedMeta(shard)) {
    const held = meta.get(key)
    if (held === undefined) continue
    const values = written.get(key) ?? []
    const entry = meta._map.get(key)
    const deleted = entry !== undefined && Y.isDeleted(ds, entry.id)
    if (values.some((v) => v !== held) || (deleted && values.length === 0)) return `meta "${key}": is ${String(held)} and cannot change`
  }
  return null
}

/** The problem of an update that builds on changes the room does not have (yet). */
export const MISSING = 'the update builds on changes the server does not have'

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

/** Where a struct that names its parent lands, or null when it is placed by its origin. */
const ownPlace = (item: Y.Item): Place | null => {
  if (typeof item.parent === 'string') return { root: item.parent, key: item.parentSub }
  return item.parent !== null ? 'nested' : null
}

/** Where an existing struct of the room's document sits, or 'missing' when the room lacks it. */
const placeInDoc = (doc: Y.Doc, id: Y.ID): Place => {
  let found: Y.Item | Y.GC
  try {
    found = Y.getItem(doc.store, id)
  } catch {
    return 'missing'
  }
  if (!(found instanceof Y.Item) || !(found.parent instanceof Y.AbstractType) || found.parent._item !== null) return 'nested'
  return { root: Y.findRootTypeKey(found.parent), key: found.parentSub }
}

/**
 * Where an incoming struct lands. An overwrite of a map key is encoded with its origin (the
 * previous entry of the key) instead of its parent and key, so those are read from the
 * origin: in the same update, or in the room's document. Chains are followed in a loop and
 * every struct on them remembers its answer, so an update costs O(structs), however built.
 */
const placeOf = (doc: Y.Doc, byClient: Map<number, Y.Item[]>, item: Y.Item, known: Map<Y.Item, Place>): Place => {
  const chain: Y.Item[] = []
  let at = item
  let place = known.get(at) ?? ownPlace(at)
  while (place === null) {
    chain.push(at)
    // Marked while its chain is followed: a cycle ends as 'nested', not in a loop.
    known.set(at, 'nested')
    const origin: Y.ID | null = at.origin ?? at.rightOrigin
    const next = origin === null ? undefined : inUpdate(byClient, origin)
    if (origin === null) place = 'nested'
    else if (next === undefined) place = placeInDoc(doc, origin)
    else place = known.get((at = next)) ?? ownPlace(at)
  }
  for (const s of chain) known.set(s, place)
  return place
}

/** An origin of the same client must be older than the struct: Yjs cannot integrate it otherwise. */
const originAfter = (s: Y.Item): boolean =>
  [s.origin, s.rightOrigin].some((o) => o !== null && o.client === s.id.client && o.clock >= s.id.clock)

/**
 * Why an update a client sent would put a malformed record into the project, or null when
 * every record it writes is valid. Readers trust the records they read; this is the edge.
 */
export const findRecordProblem = (doc: Y.Doc, update: Uint8Array, shard: RoomShard = null): string | null => {
  const decoded = Y.decodeUpdate(update)
  const structs = decoded.structs.filter((s): s is Y.Item => s instanceof Y.Item)
  const byClient = new Map<number, Y.Item[]>()
  for (const s of structs) {
    const list = byClient.get(s.id.client)
    if (list) list.push(s)
    else byClient.set(s.id.client, [s])
  }
  const known = new Map<Y.Item, Place>()
  const meta = new Map<string, unknown[]>()
  for (const s of structs) {
    if (originAfter(s)) return 'a struct builds on a later one of its own client'
    const place = placeOf(doc, byClient, s, known)
    if (place === 'missing') return MISSING
    if (place === 'nested' || !RECORD_MAPS.has(place.root)) continue
    if (place.key === null) return `"${place.root}" is a keyed map, not a list`
    if (s.content instanceof Y.ContentDeleted) continue
    if (!(s.content instanceof Y.ContentAny)) return `"${place.root}" holds plain records only`
    for (const value of s.content.getContent()) {
      const problem = problemIn(shard, place.root, place.key, value)
      if (problem) return `${place.root} "${place.key.slice(0, 80)}": ${problem}`
      if (place.root === 'meta') meta.set(place.key, [...(meta.get(place.key) ?? []), value])
    }
  }
  return fixedMetaProblem(doc, shard, decoded.ds, meta)
}
