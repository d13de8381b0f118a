import type * as Y from 'yjs'
import type { Actor, VersionId } from './ids.ts'
import { CONTENT, maps, write } from './project.ts'
import { NoChangesError, StrataError } from './errors.ts'
import { changedKeys, sameValue, valueAt } from './changes.ts'
import { type Version, lastCheckpoint, putVersion, versionRecord, versionSnapshot } from './versions.ts'
import { REVERT } from './origins.ts'

/** One key to write back: its map, and the value it had in the target state (undefined = delete it). */
export type RevertWrite = { map: Y.Map<unknown>; key: string; value: unknown }

/**
 * The writes that make the live document equal to `target`: only the keys that changed
 * since it, each back to its value there. Applied as ordinary updates, every replica,
 * IndexedDB and the server receive them, and concurrent reverts of the same keys converge
 * (maps are last-writer-wins per key, nothing is duplicated).
 */
export const revertPlan = (doc: Y.Doc, target: Y.Snapshot): RevertWrite[] => {
  const keys = changedKeys(doc, target, null)
  const m = maps(doc)
  const plan: RevertWrite[] = []
  for (const name of CONTENT) {
    const map = m[name] as unknown as Y.Map<unknown>
    for (const key of keys[name]) {
      const value = valueAt(map, key, target)
      if (!sameValue(value, map.get(key))) plan.push({ map, key, value })
    }
  }
  return plan
}

/** Writes a revert plan (inside the caller's transaction); answers how many keys it wrote. */
export const applyPlan = (plan: RevertWrite[]): number => {
  for (const { map, key, value } of plan) {
    if (value === undefined) map.delete(key)
    else map.set(key, value)
  }
  return plan.length
}

/**
 * Throws away the outstanding changes: first records them as a version of kind `discarded`
 * (so they can be restored), then reverts the live document to the last checkpoint.
 */
export const discardChanges = (doc: Y.Doc, by: Actor): Version & { reverted: number } => {
  const last = lastCheckpoint(doc)
  if (!last) throw new StrataError('There is no version to go back to yet: create a first version before discarding changes')
  const target = versionSnapshot(doc, last.id)
  return write(doc, (m) => {
    const record = versionRecord(doc, { name: `Discarded changes after "${last.name}"` }, by, 'discarded')
    if (record.stats.added + record.stats.removed + record.stats.changed === 0) throw new NoChangesError(`No changes since version "${last.name}" to discard`)
    const id = putVersion(m, record)
    const { snapshot, ...rest } = record
    return { id, bytes: snapshot.byteLength, ...rest, reverted: applyPlan(revertPlan(doc, target)) }
  }, REVERT)
}

/**
 * Makes the live document equal to an old version: records the state it leaves as a
 * version of kind `restored`, then reverts to the chosen version as ordinary updates.
 */
export const restoreVersion = (doc: Y.Doc, versionId: VersionId, by: Actor): Version & { reverted: number } => {
  const target = versionSnapshot(doc, versionId)
  return write(doc, (m) => {
    const chosen = m.versions.get(versionId)
    const plan = revertPlan(doc, target)
    if (plan.length === 0) throw new NoChangesError(`Latest already matches version "${chosen?.name ?? versionId}"`)
    const record = versionRecord(doc, { name: `Before restoring "${chosen?.name ?? versionId}"` }, by, 'restored')
    const id = putVersion(m, record)
    const { snapshot, ...rest } = record
    return { id, bytes: snapshot.byteLength, ...rest, reverted: applyPlan(plan) }
  }, REVERT)
}
