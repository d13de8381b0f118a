import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addItem, createProject, readProject, removeItem, NotFoundError } from '../../src/domain/index.ts'
import { MAX_IMPORT_BYTES, applyCocoImport, checkSize, parseCoco, parseJsonText, planCocoImport } from '../../src/io/index.ts'
import { ann, sha } from './fixtures.ts'

const good = () => ({
  images: [
    { id: 1, file_name: 'a.jpg', width: 640, height: 480 },
    { id: 2, file_name: 'b.jpg', width: 100, height: 100 },
    { id: 3, file_name: 'not-here.jpg', width: 100, height: 100 },
  ],
  categories: [{ id: 7, name: 'car' }, { id: 8, name: 'person' }],
  annotations: [
    { id: 1, image_id: 1, category_id: 7, bbox: [10, 10, 50, 50], area: 2500, iscrowd: 0 },
    { id: 2, image_id: 1, category_id: 8, bbox: [600, 400, 40, 80], area: 3200, iscrowd: 0 },
    { id: 3, image_id: 2, category_id: 7, bbox: [0, 0, 100, 100] },
    { id: 4, image_id: 3, category_id: 7, bbox: [0, 0, 1, 1] },
  ],
})

const errorOf = (json: unknown): string => {
  const r = parseCoco(json)
  if (r.ok) throw new Error('expected the file to be refused')
  return r.error
}

const projectWithImages = () => {
  const doc = createProject({ name: 'P' })
  addItem(doc, { name: 'a.jpg', blob: sha('a'), mime: 'image/jpeg', width: 640, height: 480 }, ann)
  addItem(doc, { name: 'b.jpg', blob: sha('b'), mime: 'image/jpeg', width: 100, height: 100 }, ann)
  return doc
}

describe('parseCoco', () => {
  it('accepts a well-formed detection file', () => {
    const r = parseCoco(good())
    expect(r.ok).toBe(true)
    if (r.ok) expect([r.value.images.length, r.value.annotations.length, r.value.categories.length]).toEqual([3, 4, 2])
  })

  it('names what is wrong in a bad file', () => {
    expect(parseJsonText('{"images": [', 'train.json')).toMatchObject({ ok: false, error: expect.stringMatching(/^train\.json is not JSON/) })
    expect(parseJsonText('  ', 'x.json')).toMatchObject({ ok: false, error: 'x.json is empty' })
    expect(errorOf([{ image_id: 1 }])).toMatch(/is a list.*imported as a run/)
    expect(errorOf({ images: [] })).toMatch(/has no annotations, categories lists/)
    const outside = good()
    outside.annotations[1]!.bbox = [600, 400, 41, 80]
    expect(errorOf(outside)).toMatch(/annotation 2: the box \[600, 400, 41, 80\] lies outside image 1 "a.jpg" \(640 x 480\)/)
    const unknown = good()
    unknown.annotations[0]!.category_id = 99
    expect(errorOf(unknown)).toMatch(/annotation 1 names category_id 99, which is not in categories/)
    const orphan = good()
    orphan.annotations[0]!.image_id = 42
    expect(errorOf(orphan)).toMatch(/image_id 42, which is not in images/)
    const dup = good()
    dup.images[1]!.id = 1
    expect(errorOf(dup)).toMatch(/two images have the id 1/)
    const size = good() as { images: Array<Record<string, unknown>> }
    size.images[0]!.width = 0
    expect(errorOf(size)).toMatch(/images\[0\] \(a.jpg\) needs width and height in whole pixels, got 0 x 480/)
    const box = good() as { annotations: Array<Record<string, unknown>> }
    box.annotations[2]!.bbox = [0, 0, -1, 5]
    expect(errorOf(box)).toMatch(/annotations\[2\] \(id 3\) needs a bbox/)
  })

  it('refuses files over the size limit before reading them', () => {
    expect(checkSize(1024 ** 3, 'big.json')).toMatchObject({ ok: false, error: expect.stringMatching(/big.json is 1024 MiB; imports are limited to 256 MiB/) })
    expect(checkSize(MAX_IMPORT_BYTES, 'ok.json').ok).toBe(true)
  })
})

describe('COCO import', () => {
  it('matches images by file_name, adds classes and labels, and says what it skipped and why', () => {
    const doc = projectWithImages()
    const coco = parseCoco(good())
    if (!coco.ok) throw new Error(coco.error)
    const report = applyCocoImport(doc, planCocoImport(readProject(doc), coco.value), ann)
    expect(report).toMatchObject({ imagesMatched: 2, imagesAdded: 0, classesAdded: 2, labelsAdded: 3 })
    expect(report.skipped).toEqual([{ image: 'not-here.jpg', labels: 1, reason: 'no item named "not-here.jpg" in "P"; import the images first' }])
    const p = readProject(doc)
    expect(p.classes.map((c) => c.name)).toEqual(['car', 'person'])
    expect(p.items.map((i) => i.labels.length).sort()).toEqual([1, 2])
    const again = applyCocoImport(doc, planCocoImport(p, coco.value), ann)
    expect(again).toMatchObject({ labelsAdded: 0, labelsAlreadyPresent: 3, classesAdded: 0, classesMatched: 2 })
  })

  it('matches by base name when a folder import named the item by its path', () => {
    const doc = createProject({ name: 'P' })
    addItem(doc, { name: 'train/a.jpg', blob: sha('a'), mime: 'image/jpeg', width: 640, height: 480 }, ann)
    addItem(doc, { name: 'train/b.jpg', blob: sha('b'), mime: 'image/jpeg', width: 100, height: 100 }, ann)
    addItem(doc, { name: 'val/b.jpg', blob: sha('b2'), mime: 'image/jpeg', width: 100, height: 100 }, ann)
    const coco = parseCoco(good())
    if (!coco.ok) throw new Error(coco.error)
    const report = planCocoImport(readProject(doc), coco.value).report
    expect(report.imagesMatched).toBe(1)
    expect(report.skipped.map((s) => [s.image, s.reason])).toEqual([['b.jpg', '2 items are named "b.jpg"'], ['not-here.jpg', 'no item named "not-here.jpg" in "P"; import the images first']])
  })

  it('skips an image whose size differs from the item of the same name', () => {
    const doc = projectWithImages()
    const file = good()
    file.images[1]!.width = 200
    const coco = parseCoco(file)
    if (!coco.ok) throw new Error(coco.error)
    const report = planCocoImport(readProject(doc), coco.value).report
    expect(report.skipped.map((s) => s.reason)).toContain('the item is 100 x 100 but the file says 200 x 100')
  })

  it('writes the whole import as one IMPORT transaction', () => {
    const doc = projectWithImages()
    const coco = parseCoco(good())
    if (!coco.ok) throw new Error(coco.error)
    const origins: unknown[] = []
    doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin))
    applyCocoImport(doc, planCocoImport(readProject(doc), coco.value), ann)
    expect(origins).toEqual(['strata:import'])
  })

  it('leaves nothing half-imported when a write is refused part-way', () => {
    const doc = projectWithImages()
    const coco = parseCoco(good())
    if (!coco.ok) throw new Error(coco.error)
    const plan = planCocoImport(readProject(doc), coco.value)
    // A collaborator removes an item after the plan was made: its labels can no longer be written.
    removeItem(doc, readProject(doc).items[1]!.id)
    const before = readProject(doc)
    expect(() => applyCocoImport(doc, plan, ann)).toThrow(NotFoundError)
    expect(readProject(doc)).toEqual(before)
  })
})
