/// <reference lib="webworker" />
import * as Y from 'yjs'
import { splitUpdate } from './chunks.ts'
import { openUpdateLog, readUpdates, replaceUpdates } from './updateLog.ts'

/**
 * The project document's storage, off the page's main thread: streams the stored updates to
 * the page (transferred, not copied) and compacts the log into small causal pieces, so the
 * next load applies them a few milliseconds at a time.
 */

export type ToWorker = { kind: 'load'; name: string } | { kind: 'compact'; name: string }
export type FromWorker =
  | { kind: 'update'; update: Uint8Array; index: number; count: number }
  | { kind: 'loaded'; count: number; pieces: number; bytes: number }
  | { kind: 'compacted'; pieces: number }
  | { kind: 'error'; message: string }

/** A stored update no bigger than this counts as an already-split piece. */
export const PIECE_BYTES = 1_000_000

const post = (message: FromWorker, transfer: Transferable[] = []): void => (self as unknown as DedicatedWorkerGlobalScope).postMessage(message, transfer)

const load = async (name: string): Promise<void> => {
  const db = await openUpdateLog(name)
  let pieces = 0
  let bytes = 0
  const { count } = await readUpdates(db, (update, index, total) => {
    if (update.byteLength <= PIECE_BYTES) pieces++
    bytes += update.byteLength
    post({ kind: 'update', update, index, count: total }, [update.buffer])
  })
  db.close()
  post({ kind: 'loaded', count, pieces, bytes })
}

const compact = async (name: string): Promise<void> => {
  const db = await openUpdateLog(name)
  const updates: Uint8Array[] = []
  const { lastKey } = await readUpdates(db, (update) => updates.push(update))
  if (lastKey !== null && updates.length > 0) {
    const merged = updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates)
    const pieces = splitUpdate(merged)
    await replaceUpdates(db, lastKey, pieces)
    post({ kind: 'compacted', pieces: pieces.length })
  }
  db.close()
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const { kind, name } = event.data
  ;(kind === 'load' ? load(name) : compact(name)).catch((error: unknown) => post({ kind: 'error', message: error instanceof Error ? error.message : String(error) }))
}
