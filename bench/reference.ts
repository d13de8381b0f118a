import * as Y from 'yjs'
import { createHash } from 'node:crypto'
import * as D from '../src/domain/index.ts'

const bench: D.Actor = { id: 'bench', name: 'Bench' }

/** A seeded PRNG so every run builds the same project. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Reference {
  doc: Y.Doc
  classes: D.ClassId[]
  versions: D.Version[]
  /** One edit round's worth of changes, not yet versioned; call it again for more. */
  editRound: () => void
}

const blobOf = (i: number): string => createHash('sha256').update(`image-${i}`).digest('hex')

/**
 * DESIGN.md's reference project: N items with 3 labels each, then `rounds` edit rounds
 * (1% of labels moved or reclassified, 0.5% deleted, 0.5% new items), a version after each.
 */
export const buildReference = (items: number, rounds = 20, seed = 7): Reference => {
  const rand = prng(seed)
  const doc = D.createProject({ name: `Reference ${items}` })
  const classes = Array.from({ length: 10 }, (_, i) => D.addClass(doc, { name: `class ${i}` }))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  const box = (): D.BBox => [Math.floor(rand() * 500), Math.floor(rand() * 400), 10 + Math.floor(rand() * 100), 10 + Math.floor(rand() * 60)]
  let next = 0
  const addItems = (count: number): void => {
    for (let i = 0; i < count; i++) {
      const item = D.addItem(doc, { name: `img_${next}.jpg`, blob: blobOf(next++), mime: 'image/jpeg', width: 640, height: 480 }, bench)
      for (let l = 0; l < 3; l++) D.addLabel(doc, item, { classId: pick(classes), bbox: box() }, bench)
    }
  }
  doc.transact(() => addItems(items), D.IMPORT)
  const editRound = (): void => {
    const labels = D.maps(doc).labels
    const ids = [...labels.keys()] as D.LabelId[]
    doc.transact(() => {
      for (let i = 0; i < ids.length * 0.01; i++) {
        const id = pick(ids)
        const label = labels.get(id)
        if (label) D.updateLabel(doc, label.itemId, id, rand() < 0.5 ? { bbox: box() } : { classId: pick(classes) }, bench)
      }
      for (let i = 0; i < ids.length * 0.005; i++) {
        const id = pick(ids)
        const label = labels.get(id)
        if (label) D.removeLabel(doc, label.itemId, id)
      }
      addItems(Math.ceil(items * 0.005))
    }, D.LOCAL)
  }
  const versions: D.Version[] = [D.createVersion(doc, { name: 'import' }, bench)]
  for (let r = 1; r <= rounds; r++) {
    editRound()
    versions.push(D.createVersion(doc, { name: `round ${r}` }, bench))
  }
  return { doc, classes, versions, editRound }
}
