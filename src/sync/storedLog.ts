import * as Y from 'yjs'
import { splitUpdate } from './chunks.ts'
import { openUpdateLog, readUpdates, replaceUpdates } from './updateLog.ts'

/**
 * Reading and compacting a project's stored update log. Runs in the engine worker, beside
 * the document: the pieces are applied a slice at a time there, so the engine keeps
 * answering its tabs (cells from the grid cache, images) while a big project loads.
 */

/** A stored update no bigger than this counts as an already-split piece. */
export const PIECE_BYTES = 1_000_000

export interface Loaded { count: number; pieces: number; bytes: number }

/** Hands every stored update to `push` in key order; answers what was read. */
export const loadStored = async (name: string, push: (update: Uint8Array, total: number) => void, factory?: IDBFactory): Promise<Loaded> => {
  const db = await openUpdateLog(name, factory)
  let pieces = 0
  let bytes = 0
  try {
    const { count } = await readUpdates(db, (update, _index, total) => {
      if (update.byteLength <= PIECE_BYTES) pieces++
      bytes += update.byteLength
      push(update, total)
    })
    return { count, pieces, bytes }
  } finally {
    db.close()
  }
}

/** Merges the log and writes it back as causally ordered pieces of ~1,000 structs; answers how many. */
export const compactStored = async (name: string, factory?: IDBFactory): Promise<number> => {
  const db = await openUpdateLog(name, factory)
  try {
    const updates: Uint8Array[] = []
    const { lastKey } = await readUpdates(db, (update) => updates.push(update))
    if (lastKey === null || updates.length === 0) return 0
    const merged = updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates)
    const pieces = splitUpdate(merged)
    await replaceUpdates(db, lastKey, pieces)
    return pieces.length
  } finally {
    db.close()
  }
}
