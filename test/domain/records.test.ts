import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { ann, image, sha, stateOf } from './helpers.ts'

const setup = () => {
  const doc = D.createProject({ name: 'Cars' })
  const cls = D.addClass(doc, { name: 'car' })
  const item = D.addItem(doc, image('a.png', 200), ann)
  return { doc, cls, item }
}

const unknownItem = '00000000-0000-4000-8000-000000000000' as D.ItemId

describe('project', () => {
  it('starts with gc off, schema 1 and the name', () => {
    const doc = D.createProject({ name: '  Cars ' })
    expect(doc.gc).toBe(false)
    expect(D.readProject(doc).meta).toMatchObject({ schema: 1, name: 'Cars' })
    expect(() => D.assertHistoryKept(doc)).not.toThrow()
  })

  it('refuses an empty name', () => {
    expect(() => D.createProject({ name: '  ' })).toThrow(/Project name must not be empty/)
  })

  it('refuses documents that garbage-collect history, for checks and for writes', () => {
    const gcDoc = new Y.Doc()
    expect(() => D.assertHistoryKept(gcDoc)).toThrow(D.HistoryNotKeptError)
    expect(() => D.addClass(gcDoc, { name: 'car' })).toThrow(D.HistoryNotKeptError)
    expect(gcDoc.getMap('classes').size).toBe(0)
  })
})

describe('ids', () => {
  it('are UUIDs even where randomUUID is missing (a page over plain http)', () => {
    // Shadows the prototype's method on the instance, as an insecure context leaves it out.
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true })
    try {
      const ids = new Set(Array.from({ length: 100 }, () => D.newId<D.ItemId>()))
      expect(ids.size).toBe(100)
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    } finally {
      Reflect.deleteProperty(crypto, 'randomUUID')
    }
    expect(typeof crypto.randomUUID).toBe('function')
  })
})

describe('records', () => {
  it('adds classes, items, labels, tags and runs that readProject shows', () => {
    const { doc, cls, item } = setup()
    const label = D.addLabel(doc, item, { classId: cls, bbox: [10, 20, 30, 40] }, ann)
    D.setTag(doc, item, 'night', true)
    D.setTag(doc, item, 'blurry', true)
    const run = D.addRun(doc, { name: 'yolo-1', model: 'yolov8n', blob: sha('preds'), count: 12 }, ann)
    const project = D.readProject(doc)
    expect(project.classes).toEqual([{ id: cls, name: 'car', color: expect.stringMatching(/^#[0-9a-f]{6}$/) }])
    expect(project.items).toHaveLength(1)
    expect(project.items[0]).toMatchObject({ id: item, name: 'a.png', width: 200, tags: ['blurry', 'night'] })
    expect(project.items[0]?.labels).toEqual([{ id: label, classId: cls, bbox: [10, 20, 30, 40], by: ann, at: expect.any(Number) }])
    expect(project.runs).toEqual([expect.objectContaining({ id: run, name: 'yolo-1', count: 12 })])
  })

  it('moves and reclassifies a label in one write, and removes it', () => {
    const { doc, cls, item } = setup()
    const truck = D.addClass(doc, { name: 'truck' })
    const label = D.addLabel(doc, item, { classId: cls, bbox: [0, 0, 10, 10] }, ann)
    let writes = 0
    doc.on('update', () => writes++)
    D.updateLabel(doc, item, label, { classId: truck, bbox: [5, 5, 20, 20] }, ann)
    expect(writes).toBe(1)
    expect(D.readItem(doc, item)?.labels[0]).toMatchObject({ classId: truck, bbox: [5, 5, 20, 20] })
    D.removeLabel(doc, item, label)
    expect(D.readItem(doc, item)?.labels).toEqual([])
  })

  it('keeps the order of items added in one go, even within one millisecond', () => {
    const doc = D.createProject({ name: 'Bulk' })
    const clock = vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000)
    const names = Array.from({ length: 50 }, (_, i) => `img-${String(i).padStart(2, '0')}.png`)
    doc.transact(() => {
      for (const name of [...names].reverse()) D.addItem(doc, image(name), ann)
    }, D.IMPORT)
    clock.mockRestore()
    expect(D.listItems(doc).map((i) => i.name)).toEqual([...names].reverse())
  })

  it('removing an item removes its labels and tags', () => {
    const { doc, cls, item } = setup()
    D.addLabel(doc, item, { classId: cls, bbox: [0, 0, 10, 10] }, ann)
    D.setTag(doc, item, 'x', true)
    D.removeItem(doc, item)
    expect(D.readProject(doc).items).toEqual([])
    expect(D.maps(doc).labels.size).toBe(0)
    expect(D.maps(doc).tags.size).toBe(0)
  })

  it('untagging and re-tagging what is already set writes nothing', () => {
    const { doc, item } = setup()
    D.setTag(doc, item, 'a', true)
    const before = stateOf(doc)
    D.setTag(doc, item, 'a', true)
    D.setTag(doc, item, 'b', false)
    expect(stateOf(doc)).toBe(before)
  })

  const bad: Array<[string, (s: ReturnType<typeof setup>) => unknown, RegExp | (new (...a: never[]) => Error)]> = [
    ['class with empty name', ({ doc }) => D.addClass(doc, { name: '' }), /Class name must not be empty/],
    ['class with a bad color', ({ doc }) => D.addClass(doc, { name: 'x', color: 'red' }), /#rrggbb/],
    ['item without a sha256 blob', ({ doc }) => D.addItem(doc, { ...image('b'), blob: 'abc' }, ann), /sha256/],
    ['item with zero width', ({ doc }) => D.addItem(doc, { ...image('b'), width: 0 }, ann), /width/],
    ['item that is not an image', ({ doc }) => D.addItem(doc, { ...image('b'), mime: 'text/html' }, ann), /image type/],
    ['label on an unknown item', ({ doc, cls }) => D.addLabel(doc, unknownItem, { classId: cls, bbox: [0, 0, 1, 1] }, ann), D.NotFoundError],
    ['label with an unknown class', ({ doc, item }) => D.addLabel(doc, item, { classId: 'nope' as D.ClassId, bbox: [0, 0, 1, 1] }, ann), D.NotFoundError],
    ['label outside the image', ({ doc, item, cls }) => D.addLabel(doc, item, { classId: cls, bbox: [150, 150, 100, 10] }, ann), /outside the 200 x 200 image/],
    ['label with negative size', ({ doc, item, cls }) => D.addLabel(doc, item, { classId: cls, bbox: [1, 1, -5, 10] }, ann), /positive width/],
    ['label with NaN', ({ doc, item, cls }) => D.addLabel(doc, item, { classId: cls, bbox: [Number.NaN, 1, 5, 10] }, ann), /finite/],
    ['update of an unknown label', ({ doc, item }) => D.updateLabel(doc, item, 'nope' as D.LabelId, { bbox: [0, 0, 1, 1] }, ann), D.NotFoundError],
    ['removal of an unknown label', ({ doc, item }) => D.removeLabel(doc, item, 'nope' as D.LabelId), D.NotFoundError],
    ['tag on an unknown item', ({ doc }) => D.setTag(doc, unknownItem, 'x', true), D.NotFoundError],
    ['empty tag', ({ doc, item }) => D.setTag(doc, item, '   ', true), /Tag must not be empty/],
    ['two-line tag', ({ doc, item }) => D.setTag(doc, item, 'a\nb', true), /single line/],
    ['removal of an unknown item', ({ doc }) => D.removeItem(doc, unknownItem), D.NotFoundError],
    ['run with a bad blob', ({ doc }) => D.addRun(doc, { name: 'r', model: 'm', blob: 'x', count: 1 }, ann), /sha256/],
    ['run with a fractional count', ({ doc }) => D.addRun(doc, { name: 'r', model: 'm', blob: sha('r'), count: 1.5 }, ann), /whole number/],
    ['removal of an unknown run', ({ doc }) => D.removeRun(doc, 'nope' as D.RunId), D.NotFoundError],
  ]
  it.each(bad)('refuses a %s and changes nothing', (_, act, error) => {
    const s = setup()
    const before = stateOf(s.doc)
    expect(() => act(s)).toThrow(error)
    expect(stateOf(s.doc)).toBe(before)
  })
})
