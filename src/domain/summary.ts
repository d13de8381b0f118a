import type * as Y from 'yjs'
import type { ClassId, ItemId, LabelId, RunId } from './ids.ts'
import { CONTENT, type ContentName, maps } from './project.ts'
import { type ChangedKeys, changedKeys, sameValue, valueAt } from './changes.ts'
import { parseTagKey } from './tags.ts'

export interface KeyChanges<Id extends string> {
  added: Id[]
  removed: Id[]
  changed: Id[]
}
export interface TagRef {
  itemId: ItemId
  tag: string
}

/** What differs between two states, record by record, with the ids. */
export interface ChangeSummary {
  meta: string[]
  classes: KeyChanges<ClassId>
  items: KeyChanges<ItemId>
  labels: KeyChanges<LabelId>
  tags: { added: TagRef[]; removed: TagRef[] }
  runs: KeyChanges<RunId>
  /** Number of records added, removed or changed, tags and meta fields included. */
  total: number
}

type Kind = 'added' | 'removed' | 'changed'

/** How the record at `key` differs from `from` to `to`; null when it does not. */
const kindOf = (map: Y.Map<unknown>, key: string, from: Y.Snapshot | null, to: Y.Snapshot | null): Kind | null => {
  const before = valueAt(map, key, from)
  const after = valueAt(map, key, to)
  if (before === undefined) return after === undefined ? null : 'added'
  if (after === undefined) return 'removed'
  return sameValue(before, after) ? null : 'changed'
}

const contentMap = (doc: Y.Doc, name: ContentName): Y.Map<unknown> => maps(doc)[name] as unknown as Y.Map<unknown>

const classify = (doc: Y.Doc, name: ContentName, keys: Set<string>, from: Y.Snapshot | null, to: Y.Snapshot | null): KeyChanges<string> => {
  const map = contentMap(doc, name)
  const out: KeyChanges<string> = { added: [], removed: [], changed: [] }
  for (const key of keys) {
    const kind = kindOf(map, key, from, to)
    if (kind) out[kind].push(key)
  }
  return out
}

const tagRefs = (keys: string[]): TagRef[] => keys.flatMap((key) => parseTagKey(key) ?? [])

/**
 * Summarises the differences from `from` to `to` (`null` = the live document) in
 * O(changes): only the keys written or deleted between the two are read.
 */
export const summarize = (doc: Y.Doc, from: Y.Snapshot | null, to: Y.Snapshot | null, keys: ChangedKeys = changedKeys(doc, from, to)): ChangeSummary => {
  const parts = Object.fromEntries(CONTENT.map((name) => [name, classify(doc, name, keys[name], from, to)])) as Record<ContentName, KeyChanges<string>>
  const tags = { added: tagRefs(parts.tags.added), removed: tagRefs(parts.tags.removed) }
  const meta = [...parts.meta.added, ...parts.meta.removed, ...parts.meta.changed].sort()
  const count = (k: KeyChanges<string>): number => k.added.length + k.removed.length + k.changed.length
  const total = meta.length + count(parts.classes) + count(parts.items) + count(parts.labels) + tags.added.length + tags.removed.length + count(parts.runs)
  return {
    meta,
    classes: parts.classes as KeyChanges<ClassId>,
    items: parts.items as KeyChanges<ItemId>,
    labels: parts.labels as KeyChanges<LabelId>,
    tags,
    runs: parts.runs as KeyChanges<RunId>,
    total,
  }
}

/** Whether a key of `name` that differs as `kind` counts towards `ChangeSummary.total`. */
const counts = (name: ContentName, key: string, kind: Kind): boolean =>
  name !== 'tags' || (kind !== 'changed' && parseTagKey(key) !== null)

/**
 * `summarize(doc, from, to).total`, counted a slice of `step` keys at a time: each `next()`
 * does one slice and the return value is the total. For callers that must not hold the
 * main thread for the whole count (about 100,000 keys between the oldest version and latest
 * of the 100k reference project). Keys are gathered in the first slice: when the document
 * changes between slices, the total is only approximate, so such a caller counts again.
 */
export function* countChanges(doc: Y.Doc, from: Y.Snapshot | null, to: Y.Snapshot | null, step = 2_000): Generator<void, number, void> {
  const keys = changedKeys(doc, from, to)
  yield
  let total = 0
  let done = 0
  for (const name of CONTENT) {
    const map = contentMap(doc, name)
    for (const key of keys[name]) {
      const kind = kindOf(map, key, from, to)
      if (kind && counts(name, key, kind)) total++
      if (++done % step === 0) yield
    }
  }
  return total
}
