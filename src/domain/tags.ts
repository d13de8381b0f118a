import type * as Y from 'yjs'
import type { ItemId } from './ids.ts'
import { write } from './project.ts'
import { NotFoundError, ValidationError } from './errors.ts'

const ID_LENGTH = 36

/** The flat `tags` map key of one tag on one item (item ids are UUIDs, so no separator clash). */
export const tagKey = (itemId: ItemId, tag: string): string => `${itemId}:${tag}`

/** Splits a `tags` key; null for keys an older or foreign client wrote in another shape. */
export const parseTagKey = (key: string): { itemId: ItemId; tag: string } | null =>
  key.length > ID_LENGTH + 1 && key[ID_LENGTH] === ':' ? { itemId: key.slice(0, ID_LENGTH) as ItemId, tag: key.slice(ID_LENGTH + 1) } : null

/** A tag as users type it: trimmed, non-empty, one line, at most 100 characters. */
export const requireTag = (value: unknown): string => {
  const tag = typeof value === 'string' ? value.trim() : ''
  if (!tag) throw new ValidationError('Tag must not be empty')
  if (tag.length > 100) throw new ValidationError('Tag is longer than 100 characters')
  if (/[\u0000-\u001f]/.test(tag)) throw new ValidationError('Tag must be a single line of text')
  return tag
}

/** Puts a tag on an item or takes it off; setting what is already set writes nothing. */
export const setTag = (doc: Y.Doc, itemId: ItemId, tag: string, on: boolean): void =>
  write(doc, (m) => {
    const clean = requireTag(tag)
    if (!m.items.has(itemId)) throw new NotFoundError(`No item ${itemId}`)
    const key = tagKey(itemId, clean)
    if (on && !m.tags.has(key)) m.tags.set(key, true)
    if (!on && m.tags.has(key)) m.tags.delete(key)
  })
