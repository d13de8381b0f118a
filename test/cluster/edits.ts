import { expect } from 'vitest'
import * as Y from 'yjs'
import { canonical, waitFor } from '../server/harness.ts'
import { type AppClient, CONVERGE_MS } from './cluster.ts'

/** What one client wrote: the final state must hold exactly this of it. */
export interface Written {
  author: string
  /** Keys only this client writes, with their value, minus those it deleted. */
  own: Map<string, string>
  /** Values it inserted into the shared list. */
  listed: string[]
  /** Values it set on the keys every client writes. */
  shared: Set<string>
  edits: number
}

const SHARED_KEYS = 4

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
export const seeded = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const written = (author: string): Written => ({ author, own: new Map(), listed: [], shared: new Set(), edits: 0 })

/** One random edit: set or delete an own key, set or delete a shared key, or insert into the list. */
export const editOnce = (c: AppClient, w: Written, random: () => number): void => {
  const map = c.doc.getMap<string>('scratch')
  const n = w.edits++
  const value = `${w.author}:${n}`
  const r = random()
  const own = [...w.own.keys()]
  if (r < 0.15 && own.length > 0) {
    const key = own[Math.floor(random() * own.length)]!
    map.delete(key)
    w.own.delete(key)
  } else if (r < 0.55) {
    map.set(`${w.author}-${n}`, value)
    w.own.set(`${w.author}-${n}`, value)
  } else if (r < 0.75) {
    map.set(`shared-${Math.floor(random() * SHARED_KEYS)}`, value)
    w.shared.add(value)
  } else if (r < 0.8) {
    map.delete(`shared-${Math.floor(random() * SHARED_KEYS)}`)
  } else {
    const list = c.doc.getArray<string>('list')
    list.insert(Math.floor(random() * (list.length + 1)), [value])
    w.listed.push(value)
  }
}

/** Every client edits every `everyMs` until stopped; answers what each wrote (added to `all` when given, one per client). */
export const editContinuously = (
  clients: readonly AppClient[], seed: number, all = clients.map((c) => written(c.name)), everyMs = 60,
): { written: Written[], stop(): void } => {
  const random = seeded(seed)
  const timer = setInterval(() => clients.forEach((c, i) => editOnce(c, all[i]!, random)), everyMs)
  return { written: all, stop: () => clearInterval(timer) }
}

/** Resolves once every client made `count` more edits than it had made when called. */
export const editedMore = (all: readonly Written[], count: number, what: string): Promise<void> => {
  const from = all.map((w) => w.edits)
  return waitFor(() => all.every((w, i) => w.edits >= from[i]! + count), CONVERGE_MS, what)
}

/** What a user sees of the shared document, comparable across replicas. */
export const stateOf = (doc: Y.Doc): string =>
  canonical({ scratch: doc.getMap('scratch').toJSON(), list: doc.getArray('list').toJSON() })

/** Whether every client holds the same document: same content, same inserts and deletes. */
export const sameEverywhere = (clients: readonly { doc: Y.Doc }[]): boolean => {
  const first = clients[0]!.doc
  const snapshot = Y.snapshot(first)
  return clients.every((c) => Y.equalSnapshots(Y.snapshot(c.doc), snapshot) && stateOf(c.doc) === stateOf(first))
}

/** Whether `doc` already holds everything in `updates`: applying them changes nothing and leaves nothing pending. */
export const holdsAll = (doc: Y.Doc, updates: readonly Uint8Array[]): boolean => {
  if (updates.length === 0) return true
  const copy = new Y.Doc({ gc: false })
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  const before = Y.snapshot(copy)
  Y.applyUpdate(copy, Y.mergeUpdates([...updates]))
  const held = copy.store.pendingStructs === null && copy.store.pendingDs === null && Y.equalSnapshots(before, Y.snapshot(copy))
  copy.destroy()
  return held
}

/** Asserts that `doc` shows exactly what the clients wrote: every own key, every insert, no shared value made up. */
export const expectAllWritten = (doc: Y.Doc, all: readonly Written[]): void => {
  const map = doc.getMap<string>('scratch').toJSON() as Record<string, string>
  for (const w of all) {
    const own = Object.entries(map).filter(([key]) => key.startsWith(`${w.author}-`))
    expect(Object.fromEntries(own), `${w.author}'s keys`).toEqual(Object.fromEntries(w.own))
  }
  const shared = new Set(all.flatMap((w) => [...w.shared]))
  for (const [key, value] of Object.entries(map)) if (key.startsWith('shared-')) expect(shared.has(value), `${key}=${value}`).toBe(true)
  expect(doc.getArray<string>('list').toArray().sort()).toEqual(all.flatMap((w) => w.listed).sort())
}

/** Asserts what every client must hold in the end: the same document, all that was written, every update any client made. */
export const expectNothingLost = (clients: readonly AppClient[], all: readonly Written[]): void => {
  expect(sameEverywhere(clients)).toBe(true)
  for (const c of clients) {
    expectAllWritten(c.doc, all)
    for (const author of clients) expect(holdsAll(c.doc, author.made), `${c.name} holds ${author.name}'s updates`).toBe(true)
  }
}
