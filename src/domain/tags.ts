import type * as Y from 'yjs'
import type { ItemId } from './ids.ts'
import { write } from './project.ts'
import { NotFoundError } from './errors.ts'
import { type Rule, nonEmpty, requireValue, trimmed } from './rules.ts'

const ID_LENGTH = 36

/** The flat `tags` map key of one tag on one item (item ids are UUIDs, so no separator clash). */
export const tagKey = (itemId: ItemId, tag: string): string => `${itemId}:${tag}`

/** Splits a `tags` key; null for keys an older or foreign client wrote in another shape. */
export const parseTagKey = (key: string): { itemId: ItemId; tag: string } | null =>
  key.length > ID_LENGTH + 1 && key[ID_LENGTH] === ':' ? { itemId: key.slice(0, ID_LENGTH) as ItemId, tag: key.slice(ID_LENGTH + 1) } : null

/** A tag as people type it: not blank, one line, at most 100 characters, no spaces at either end. */
const TAG: Rule = (v) => {
  const problem = nonEmpty(100)(v)
  if (problem !== null) return problem
  const tag = v as string
  if (/[\u0000-\u001f]/.test(tag)) return 'must be a single line of text'
  return tag.trim() === tag ? null : 'must not start or end with spaces'
}

/**
 * Why an entry of the `tags` map is malformed, or null: the key names an item and a tag, the
 * value is `true`. The domain's `setTag` and the server's validation both hold tags to this.
 */
export const tagProblem = (key: string, value: unknown): string | null => {
  const ref = parseTagKey(key)
  if (ref === null) return 'bad tag key'
  const problem = TAG(ref.tag)
  if (problem !== null) return `bad tag: ${problem}`
  return value === true ? null : 'tag value must be true'
}

/** A tag as it is stored (trimmed), or a `ValidationError` saying why it cannot be one. */
export const requireTag = (tag: string): string => requireValue(TAG, trimmed(tag), 'Tag')

/** Puts a tag on an item or takes it off; setting what is already set writes nothing. */
export const setTag = (doc: Y.Doc, itemId: ItemId, tag: string, on: boolean): void =>
  write(doc, (m) => {
    const clean = requireTag(tag)
    if (!m.items.has(itemId)) throw new NotFoundError(`No item ${itemId}`)
    const key = tagKey(itemId, clean)
    if (on && !m.tags.has(key)) m.tags.set(key, true)
    if (!on && m.tags.has(key)) m.tags.delete(key)
  })
