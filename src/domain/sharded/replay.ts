import type * as Y from 'yjs'
import { CONTENT, type ContentName, maps, write } from '../project.ts'
import { changedKeys, sameValue, valueAt } from '../changes.ts'
import { type RevertWrite, applyPlan } from '../revert.ts'
import { parseTagKey } from '../tags.ts'
import { MIGRATION } from '../origins.ts'
import { shardOf } from './placement.ts'

/** A schema-1 document being replayed, and the sharded project's documents it is replayed into. */
export interface Replay {
  old: Y.Doc
  root: Y.Doc
  shards: readonly Y.Doc[]
}

/** Root `meta` fields the sharded layout owns: never copied from schema 1. */
const OWN_META = new Set(['schema', 'shards'])

/** The item a key belongs to, from its record on one side; a malformed label (another client's) is placed by its key. */
const itemOf = (name: ContentName, key: string, value: unknown): string => {
  if (name === 'tags') return parseTagKey(key)?.itemId ?? key
  if (name !== 'labels') return key
  const itemId = (value as { itemId?: unknown }).itemId
  return typeof itemId === 'string' ? itemId : key
}

/** The new document a key lives in with record `value`: the root for project-wide maps, else its item's shard. */
const homeOf = (r: Replay, name: ContentName, key: string, value: unknown): Y.Doc =>
  name === 'meta' || name === 'classes' || name === 'runs' ? r.root : (r.shards[shardOf(itemOf(name, key, value), r.shards.length)] as Y.Doc)

const queue = (plans: Map<Y.Doc, RevertWrite[]>, doc: Y.Doc, name: ContentName, key: string, value: unknown): void => {
  let plan = plans.get(doc)
  if (!plan) plans.set(doc, (plan = []))
  plan.push({ map: maps(doc)[name] as unknown as Y.Map<unknown>, key, value })
}

/**
 * Per new document, the writes that take it from the old document's state `from` to `to`
 * (null = live): the keys the domain finds changed between the two, in O(changes), each
 * written only where its value differs. Keys go in sorted order, so the writes do not depend
 * on the order in which the old document's updates arrived.
 */
const plansBetween = (r: Replay, from: Y.Snapshot, to: Y.Snapshot | null): Map<Y.Doc, RevertWrite[]> => {
  const keys = changedKeys(r.old, from, to)
  const m = maps(r.old)
  const plans = new Map<Y.Doc, RevertWrite[]>()
  for (const name of CONTENT) {
    const map = m[name] as unknown as Y.Map<unknown>
    for (const key of [...keys[name]].sort()) {
      if (name === 'meta' && OWN_META.has(key)) continue
      const before = valueAt(map, key, from)
      const after = valueAt(map, key, to)
      if (sameValue(before, after)) continue
      const target = after === undefined ? null : homeOf(r, name, key, after)
      // A record that names another item on each side (never written by this domain) moves shards.
      if (before !== undefined && homeOf(r, name, key, before) !== target) queue(plans, homeOf(r, name, key, before), name, key, undefined)
      if (target) queue(plans, target, name, key, after)
    }
  }
  return plans
}

/**
 * Moves the new documents, which show the old document's state `from`, to its state `to`
 * (null = its live state): one transaction per document that changes, the root first, then
 * the shards in order.
 */
export const replay = (r: Replay, from: Y.Snapshot, to: Y.Snapshot | null): void => {
  const plans = plansBetween(r, from, to)
  for (const doc of [r.root, ...r.shards]) {
    const plan = plans.get(doc)
    if (plan) write(doc, () => applyPlan(plan), MIGRATION)
  }
}
