import type * as Y from 'yjs'
import { createSubscriber } from 'svelte/reactivity'

/**
 * A subscriber that re-runs reading effects when one Y type changes. Observes only while
 * some effect reads it. Old versions never change, so callers skip it for them.
 */
export const observing = (type: Y.AbstractType<unknown>): (() => void) =>
  createSubscriber((update) => {
    const handler = (): void => update()
    type.observe(handler)
    return () => type.unobserve(handler)
  })

/** A subscriber that re-runs reading effects after every transaction on the document. */
export const observingDoc = (doc: Y.Doc): (() => void) =>
  createSubscriber((update) => {
    const handler = (): void => update()
    doc.on('afterTransaction', handler)
    return () => doc.off('afterTransaction', handler)
  })
