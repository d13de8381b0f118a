import { createHash } from 'node:crypto'
import type * as Y from 'yjs'
import { type Actor, type ProjectJson, addClass, addItem, addLabel, createProject, createVersion, setTag } from '../../src/domain/index.ts'

export const ann: Actor = { id: 'u-ann', name: 'Ann' }

/** A deterministic sha256 for test blobs. */
export const sha = (text: string): string => createHash('sha256').update(text).digest('hex')

/** A small project: two classes, three items (one tagged), four labels, and a version. */
export const sampleProject = (): Y.Doc => {
  const doc = createProject({ name: 'Roads' })
  const car = addClass(doc, { name: 'car', color: '#ff0000' })
  const person = addClass(doc, { name: 'person' })
  addClass(doc, { name: 'unused' })
  const a = addItem(doc, { name: 'a.jpg', blob: sha('a'), mime: 'image/jpeg', width: 640, height: 480 }, ann)
  const b = addItem(doc, { name: 'b.png', blob: sha('b'), mime: 'image/png', width: 100, height: 50 }, ann)
  addItem(doc, { name: 'empty.jpg', blob: sha('c'), mime: 'image/jpeg', width: 10, height: 10 }, ann)
  addLabel(doc, a, { classId: car, bbox: [10, 20, 100, 50] }, ann)
  addLabel(doc, a, { classId: person, bbox: [300.5, 100.25, 40, 120] }, ann)
  addLabel(doc, b, { classId: car, bbox: [0, 0, 100, 50] }, ann)
  addLabel(doc, b, { classId: car, bbox: [1, 1, 2, 2] }, ann)
  setTag(doc, a, 'night', true)
  setTag(doc, a, 'rain', true)
  createVersion(doc, { name: 'v1' }, ann)
  return doc
}

/** A project without ids, times and authors: what "the same project" means across an export and an import. */
export const comparable = (p: ProjectJson) => {
  const className = new Map(p.classes.map((c) => [c.id as string, c.name]))
  return {
    classes: p.classes.map((c) => ({ name: c.name, color: c.color })),
    items: p.items
      .map((i) => ({
        name: i.name, blob: i.blob, mime: i.mime, width: i.width, height: i.height, tags: i.tags,
        labels: i.labels.map((l) => ({ class: className.get(l.classId), bbox: l.bbox })).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
      }))
      .sort((x, y) => x.name.localeCompare(y.name)),
  }
}
