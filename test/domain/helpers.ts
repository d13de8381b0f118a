import * as Y from 'yjs'
import { createHash } from 'node:crypto'
import { type Actor, type NewItem, newProjectDoc } from '../../src/domain/index.ts'

export const ann: Actor = { id: 'u-ann', name: 'Ann' }
export const bob: Actor = { id: 'u-bob', name: 'Bob' }

/** A deterministic sha256 for test blobs. */
export const sha = (text: string): string => createHash('sha256').update(text).digest('hex')

/** A valid new item named `name`. */
export const image = (name: string, size = 100): NewItem => ({ name, blob: sha(name), mime: 'image/png', width: size, height: size })

/** Brings `to` up to date with `from` (one direction), as a provider would. */
export const push = (from: Y.Doc, to: Y.Doc): void => {
  Y.applyUpdateV2(to, Y.encodeStateAsUpdateV2(from, Y.encodeStateVector(to)))
}

/** Full two-way sync of several replicas. */
export const syncAll = (...docs: Y.Doc[]): void => {
  for (const a of docs) for (const b of docs) if (a !== b) push(a, b)
}

/** A second replica of `doc` with all of its state. */
export const replicaOf = (doc: Y.Doc): Y.Doc => {
  const copy = newProjectDoc()
  push(doc, copy)
  return copy
}

/** The document's full state, for "nothing changed" assertions. */
export const stateOf = (doc: Y.Doc): string => Buffer.from(Y.encodeStateVector(doc)).toString('hex')
