import * as Y from 'yjs'
import { heapMB, medianTime, time } from './stats.ts'
import type { Row } from './versions.ts'

const label = (i: number, l: number) => ({ classId: `c${(i + l) % 10}`, bbox: [l * 10, 20, 30, 40], by: { id: 'b', name: 'B' }, at: i })
const item = (i: number) => ({ name: `img_${i}.jpg`, blob: i.toString(16).padStart(64, '0'), mime: 'image/jpeg', width: 640, height: 480, addedAt: i, addedBy: { id: 'b', name: 'B' } })

/** DESIGN.md's starting point: a Y.Map per item with nested tags and labels maps. */
const nested = (n: number): Y.Doc => {
  const doc = new Y.Doc({ gc: false })
  const items = doc.getMap<Y.Map<unknown>>('items')
  doc.transact(() => {
    for (let i = 0; i < n; i++) {
      const m = new Y.Map<unknown>()
      items.set(`item-${i}`, m)
      for (const [k, v] of Object.entries(item(i))) m.set(k, v)
      const tags = new Y.Map<boolean>()
      const labels = new Y.Map<unknown>()
      m.set('tags', tags)
      m.set('labels', labels)
      tags.set('new', true)
      for (let l = 0; l < 3; l++) labels.set(`label-${i}-${l}`, label(i, l))
    }
  })
  return doc
}

/** Strata's layout: plain records directly under top-level maps, labels name their item. */
const flat = (n: number): Y.Doc => {
  const doc = new Y.Doc({ gc: false })
  const items = doc.getMap('items')
  const labels = doc.getMap('labels')
  const tags = doc.getMap('tags')
  doc.transact(() => {
    for (let i = 0; i < n; i++) {
      items.set(`item-${i}`, item(i))
      tags.set(`item-${i}:new`, true)
      for (let l = 0; l < 3; l++) labels.set(`label-${i}-${l}`, { itemId: `item-${i}`, ...label(i, l) })
    }
  })
  return doc
}

/** Both layouts at N items × 3 labels × 1 tag: build, bytes, load, snapshot, heap. */
export const benchLayouts = (n: number, runs: number): Row[] => {
  const rows: Row[] = []
  for (const [name, build] of [['nested', nested], ['flat', flat]] as const) {
    const before = heapMB()
    let doc!: Y.Doc
    const built = time(() => (doc = build(n)))
    const heap = heapMB() - before
    const bytes = Y.encodeStateAsUpdateV2(doc)
    rows.push({ operation: `${name}: build`, value: built, unit: 'ms' })
    rows.push({ operation: `${name}: document bytes`, value: bytes.byteLength, unit: 'B' })
    rows.push({ operation: `${name}: load from bytes`, value: medianTime(Math.min(runs, 3), () => Y.applyUpdateV2(new Y.Doc({ gc: false }), bytes)), unit: 'ms' })
    rows.push({ operation: `${name}: Y.snapshot`, value: medianTime(runs, () => Y.snapshot(doc)), unit: 'ms' })
    rows.push({ operation: `${name}: read all to JSON`, value: medianTime(Math.min(runs, 3), () => doc.toJSON()), unit: 'ms' })
    rows.push({ operation: `${name}: heap`, value: heap, unit: 'MB' })
    doc.destroy()
  }
  return rows
}
