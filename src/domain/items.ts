import type * as Y from 'yjs'
import { type Actor, type ItemId, newId } from './ids.ts'
import { type ItemRecord, write } from './project.ts'
import { NotFoundError } from './errors.ts'
import { labelsOf, tagsOf } from './byItem.ts'
import { tagKey } from './tags.ts'
import { type CocoRef, cocoRule, withCoco } from './cocoRef.ts'
import { ACTOR, NAME, type RecordSchema, type Rule, SHA256, TIME, matching, requireRecord, trimmed } from './rules.ts'

export interface NewItem {
  name: string
  blob: string
  mime: string
  width: number
  height: number
  /** The COCO image it came from. */
  coco?: CocoRef
}

/** Images' sides, in pixels. */
const PIXELS: Rule = (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 1_000_000 ? null : 'must be a positive whole number of pixels')

/** A data item, as the domain writes it and the server accepts it. */
export const ITEM: RecordSchema<ItemRecord> = {
  what: 'Item',
  fields: {
    name: NAME, blob: SHA256, mime: matching(/^image\/[a-z0-9.+-]+$/, 'must be an image type', 100), width: PIXELS, height: PIXELS,
    addedAt: TIME, addedBy: ACTOR, coco: cocoRule('item'),
  },
}

/** Checks a new item's fields and returns the record to store. */
export const itemRecord = (input: NewItem, by: Actor, at = Date.now()): ItemRecord =>
  requireRecord(ITEM, {
    name: trimmed(input.name), blob: input.blob, mime: input.mime, width: input.width, height: input.height,
    addedAt: at, addedBy: { id: by.id, name: by.name }, ...withCoco(input.coco),
  })

const lastAdded = new WeakMap<Y.Doc, number>()

/**
 * The time an item is added at: strictly after the previous item this replica added to the
 * project whose clock `home` keeps (a sharded project's root), so items added in one go (a
 * folder, a COCO file) are shown in the order they were given.
 */
export const nextAddedAt = (home: Y.Doc): number => {
  const at = Math.max(Date.now(), (lastAdded.get(home) ?? 0) + 1)
  lastAdded.set(home, at)
  return at
}

/**
 * Adds a data item (an image already stored as a blob). A sharded project passes the `id`
 * (chosen first, since it places the item) and `at` from its root's clock.
 */
export const addItem = (doc: Y.Doc, input: NewItem, by: Actor, id: ItemId = newId<ItemId>(), at: number = nextAddedAt(doc)): ItemId =>
  write(doc, (m) => {
    m.items.set(id, itemRecord(input, by, at))
    return id
  })

/** Removes an item together with its labels and tags. */
export const removeItem = (doc: Y.Doc, itemId: ItemId): void =>
  write(doc, (m) => {
    if (!m.items.has(itemId)) throw new NotFoundError(`No item ${itemId}`)
    for (const labelId of labelsOf(doc, itemId)) m.labels.delete(labelId)
    for (const tag of tagsOf(doc, itemId)) m.tags.delete(tagKey(itemId, tag))
    m.items.delete(itemId)
  })

/** Records the COCO image an existing item is (an import matched it by file name); a link it has stays. */
export const linkItemToCoco = (doc: Y.Doc, itemId: ItemId, coco: CocoRef): void =>
  write(doc, (m) => {
    const item = m.items.get(itemId)
    if (!item) throw new NotFoundError(`No item ${itemId}`)
    if (item.coco === undefined) m.items.set(itemId, requireRecord(ITEM, { ...item, coco }))
  })
