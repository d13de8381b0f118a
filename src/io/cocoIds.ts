import type { ClassId, CocoId, ItemId, LabelId, ProjectJson } from '../domain/index.ts'

/**
 * The COCO ids a project's images, categories and annotations have in an export: the id each
 * was imported with, and for what was made in Strata an id derived from its Strata id, so it
 * is the same in every export of every version. A derived id that meets an id already taken
 * moves to the next free one (in Strata-id order, so that too is repeatable).
 */
export interface CocoIds {
  image: Map<ItemId, CocoId>
  category: Map<ClassId, CocoId>
  annotation: Map<LabelId, CocoId>
}

/** 52 bits of a string's two FNV-1a hashes: a whole number JSON and Python carry exactly. */
export const derivedCocoId = (strataId: string): number => {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < strataId.length; i++) {
    const c = strataId.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15)
  }
  // 1 + 32 bits × 2^20 + 20 bits: at least 1 (pycocotools reads a 0 annotation id as "no match").
  return 1 + (a >>> 0) * 2 ** 20 + ((b >>> 0) >>> 12)
}

/** The COCO id each record has in an export: its imported id, else one derived from its Strata id. */
export const assignCocoIds = <K extends string>(records: ReadonlyArray<{ id: K, coco?: { id: CocoId } }>): Map<K, CocoId> => {
  const out = new Map<K, CocoId>()
  const taken = new Set<string>()
  for (const r of records) {
    if (r.coco === undefined || taken.has(String(r.coco.id))) continue
    out.set(r.id, r.coco.id)
    taken.add(String(r.coco.id))
  }
  const fresh = records.filter((r) => !out.has(r.id)).map((r) => r.id).sort()
  for (const id of fresh) {
    let n = derivedCocoId(id)
    while (taken.has(String(n))) n++
    out.set(id, n)
    taken.add(String(n))
  }
  return out
}

/** Every record's COCO id in an export of `project`. */
export const cocoIdsOf = (project: ProjectJson): CocoIds => ({
  image: assignCocoIds(project.items),
  category: assignCocoIds(project.classes),
  annotation: assignCocoIds(project.items.flatMap((i) => i.labels)),
})

/** COCO's image order (pycocotools sorts image ids): numbers ascending, then strings. */
export const compareCocoIds = (a: CocoId, b: CocoId): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'number') return -1
  if (typeof b === 'number') return 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Record ids in COCO order: by the id each has in an export, as pycocotools sorts image and category ids. */
export const inCocoOrder = <K extends string>(records: ReadonlyArray<{ id: K, coco?: { id: CocoId } }>): K[] => {
  const ids = assignCocoIds(records)
  return records.map((r) => r.id).sort((a, b) => compareCocoIds(ids.get(a) as CocoId, ids.get(b) as CocoId))
}
