import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type ItemId, addClass, addItem, addLabel, createProject, createVersion, maps, newProjectDoc, removeLabel, updateLabel } from '../../src/domain/index.ts'
import { splitUpdate } from '../../src/sync/chunks.ts'

const SHA = 'b'.repeat(64)

/** Two replicas editing the same labels in turn, so structs of one client depend on the other's. */
const interleaved = (): Y.Doc => {
  const a = createProject({ name: 'Chunks' })
  const b = newProjectDoc()
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  const classId = addClass(a, { name: 'cat' })
  const items: ItemId[] = []
  for (let i = 0; i < 60; i++) items.push(addItem(a, { name: `img-${i}.png`, blob: SHA, mime: 'image/png', width: 100, height: 100 }, { id: 'a', name: 'A' }))
  const labels = items.map((item) => addLabel(a, item, { classId, bbox: [1, 1, 5, 5] }, { id: 'a', name: 'A' }))
  for (let round = 0; round < 4; round++) {
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
    labels.forEach((id, i) => i % 2 === round % 2 && updateLabel(b, items[i] as ItemId, id, { bbox: [round, 2, 5, 5] }, { id: 'b', name: 'B' }))
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
    labels.forEach((id, i) => i % 3 === round % 3 && updateLabel(a, items[i] as ItemId, id, { bbox: [round, 3, 5, 5] }, { id: 'a', name: 'A' }))
    createVersion(a, { name: `round ${round}` }, { id: 'a', name: 'A' })
  }
  removeLabel(a, items[0] as ItemId, labels[0] as never)
  return a
}

const applyAll = (pieces: Uint8Array[]): Y.Doc => {
  const doc = newProjectDoc()
  for (const piece of pieces) Y.applyUpdate(doc, piece)
  return doc
}

describe('splitUpdate', () => {
  it('gives pieces that, applied in order, rebuild the same document with nothing left pending', () => {
    const source = interleaved()
    const update = Y.encodeStateAsUpdate(source)
    const pieces = splitUpdate(update, { structs: 7, deleteRanges: 5 })
    expect(pieces.length).toBeGreaterThan(20)
    const rebuilt = applyAll(pieces)
    expect(rebuilt.store.pendingStructs).toBeNull()
    expect(rebuilt.store.pendingDs).toBeNull()
    expect(Y.equalSnapshots(Y.snapshot(rebuilt), Y.snapshot(source))).toBe(true)
    expect(maps(rebuilt).labels.toJSON()).toEqual(maps(source).labels.toJSON())
  })

  it('puts no struct in a piece before the structs it was inserted next to', () => {
    const pieces = splitUpdate(Y.encodeStateAsUpdate(interleaved()), { structs: 3, deleteRanges: 100 })
    const doc = newProjectDoc()
    for (const piece of pieces) {
      Y.applyUpdate(doc, piece)
      expect(doc.store.pendingStructs).toBeNull()
    }
  })

  it('returns an update with a gap (structs missing in the middle) whole', () => {
    const doc = createProject({ name: 'Gap' })
    const add = (name: string): ItemId => addItem(doc, { name, blob: SHA, mime: 'image/png', width: 10, height: 10 }, { id: 'a', name: 'A' })
    add('one.png')
    const first = Y.encodeStateAsUpdate(doc)
    add('two.png')
    const skipped = Y.encodeStateVector(doc)
    add('three.png')
    const gap = Y.mergeUpdates([first, Y.encodeStateAsUpdate(doc, skipped)])
    expect(splitUpdate(gap, { structs: 1, deleteRanges: 1 })).toEqual([gap])
  })
})
