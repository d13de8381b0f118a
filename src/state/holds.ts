import type * as Y from 'yjs'

/** Work that still writes into a project's document, by document. */
const holds = new WeakMap<Y.Doc, Set<Promise<unknown>>>()

/**
 * Keeps a project's document open until `work` settles, even when its page is closed
 * meanwhile (an image import going on while the user switches project): the document is
 * destroyed only after its last write, so those writes still reach this device's storage.
 */
export const keepOpenWhile = <T>(doc: Y.Doc, work: Promise<T>): Promise<T> => {
  let set = holds.get(doc)
  if (!set) holds.set(doc, (set = new Set()))
  const held = set
  held.add(work)
  const release = (): void => void held.delete(work)
  work.then(release, release)
  return work
}

/** Settles once no work holds the document open (at once when none does). */
export const whenReleased = async (doc: Y.Doc): Promise<void> => {
  for (let set = holds.get(doc); set && set.size > 0; set = holds.get(doc)) await Promise.allSettled([...set])
}
