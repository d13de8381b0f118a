import * as Y from 'yjs'
import { CONTENT, IMPORT, maps } from '../domain/index.ts'

/**
 * Runs many domain writes as one IMPORT transaction. Yjs cannot abort a transaction, so a
 * write refused half-way (say an item removed by a collaborator after the plan was made)
 * is undone at once by an UndoManager that saw only this transaction: nothing stays
 * half-imported. Callers check everything they can before, so this path is the exception.
 */
export const applyAtomically = (doc: Y.Doc, fn: () => void): void => {
  const m = maps(doc)
  const undo = new Y.UndoManager(CONTENT.map((name) => m[name]), { trackedOrigins: new Set([IMPORT]), captureTimeout: 0 })
  try {
    doc.transact(fn, IMPORT)
  } catch (e) {
    undo.undo()
    throw e
  } finally {
    undo.destroy()
  }
}
