import * as awarenessProtocol from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { encodeAwareness } from './protocol.ts'

/** How long presence changes gather before they are relayed as one message. */
const PRESENCE_BATCH_MS = 50

interface AwarenessChange { added: number[], updated: number[], removed: number[] }

/**
 * Relays a room's presence changes in batches. The stock client re-sends every presence change
 * it receives, so relaying each renewal at once made each client echo each one (150 clients
 * renewing together: 150 x 149 echoes); one message per 50 ms costs each client one echo per
 * batch, and 50 ms is below what a person notices of who is here and what they look at.
 */
export const relayInBatches = (doc: Y.Doc, awareness: awarenessProtocol.Awareness, send: (frame: Uint8Array) => void): void => {
  let batch: Set<number> | null = null
  awareness.on('update', ({ added, updated, removed }: AwarenessChange) => {
    if (batch === null) {
      const ids = (batch = new Set())
      setTimeout(() => {
        batch = null
        if (!doc.isDestroyed) send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(awareness, [...ids])))
      }, PRESENCE_BATCH_MS).unref()
    }
    for (const id of [...added, ...updated, ...removed]) batch.add(id)
  })
}
