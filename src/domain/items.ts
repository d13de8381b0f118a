import type * as Y from 'yjs'
import { type Actor, type ItemId, isSha256, newId } from './ids.ts'
import { type ItemRecord, write } from './project.ts'
import { NotFoundError, ValidationError } from './errors.ts'
import { requireName } from './classes.ts'
import { labelsOf, tagsOf } from './byItem.ts'
import { tagKey } from './tags.ts'
import { type CocoRef, requireCocoRef, withCoco } from './cocoRef.ts'

export interface NewItem {
  name: string
  blob: string
  mime: string
  width: number
  height: number
  /** The COCO image it came from. */
  coco?: CocoRef
}

const MIME = /^image\/[a-z0-9.+-]+$/

const requireSize = (value: unknown, field: string): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 1_000_000) {
    throw new ValidationError(`${field} must be a positive whole number of pixels, got ${String(value)}`)
  }
  return value
}

/** Checks a new item's fields and returns the record to store. */
export const itemRecord = (input: NewItem, by: Actor, at = Date.now()): ItemRecord => {
  if (!isSha256(input.blob)) throw new ValidationError('Item blob must be a sha256 hex digest')
  if (typeof input.mime !== 'string' || !MIME.test(input.mime)) throw new ValidationError(`Item mime must be an image type, got "${String(input.mime)}"`)
  return {
    name: requireName(input.name, 'Item name'),
    blob: input.blob,
    mime: input.mime,
    width: requireSize(input.width, 'Item width'),
    height: requireSize(input.height, 'Item height'),
    addedAt: at,
    addedBy: { id: by.id, name: by.name },
    ...withCoco(requireCocoRef(input.coco, 'item')),
  }
}

const lastAdded = new WeakMap<Y.Doc, number>()

/**
 * The time an item is added at: strictly after the previous item this replica added, so
 * items added in one go (a folder, a COCO file) are shown in the order they were given.
 */
const addedAt = (doc: Y.Doc): number => {
  const at = Math.max(Date.now(), (lastAdded.get(doc) ?? 0) + 1)
  lastAdded.set(doc, at)
  return at
}

/** Adds a data item (an image already stored as a blob). */
export const addItem = (doc: Y.Doc, input: NewItem, by: Actor): ItemId =>
  write(doc, (m) => {
    const id = newId<ItemId>()
    m.items.set(id, itemRecord(input, by, addedAt(doc)))
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
    if (item.coco === undefined) m.items.set(itemId, { ...item, coco: requireCocoRef(coco, 'item') as CocoRef })
  })
