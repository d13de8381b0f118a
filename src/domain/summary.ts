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

const classify = (doc: Y.Doc, name: ContentName, keys: Set<string>, from: Y.Snapshot | null, to: Y.Snapshot | null): KeyChanges<string> => {
  const map = maps(doc)[name] as unknown as Y.Map<unknown>
  const out: KeyChanges<string> = { added: [], removed: [], changed: [] }
  for (const key of keys) {
    const before = valueAt(map, key, from)
    const after = valueAt(map, key, to)
    if (before === undefined && after !== undefined) out.added.push(key)
    else if (before !== undefined && after === undefined) out.removed.push(key)
    else if (!sameValue(before, after)) out.changed.push(key)
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
