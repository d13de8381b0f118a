import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { type CocoFile, applyCocoImport, parseCoco, planCocoImport, toCoco } from '../../src/io/index.ts'
import { ann, sha } from './fixtures.ts'

/** A COCO file as datasets ship them: sparse ids, licenses, segmentation, crowd, areas ≠ w × h, fields Strata does not read. */
const original = () => ({
  info: { description: 'Street scenes', version: '2.1', year: 2024, contributor: 'Lab', date_created: '2024-03-01' },
  licenses: [{ id: 3, name: 'CC BY 4.0', url: 'https://example.org/by/4.0' }],
  images: [
    { id: 1000003, file_name: 'street/0001.jpg', width: 640, height: 480, license: 3, coco_url: 'https://example.org/0001.jpg', date_captured: '2023-07-01 10:00:00' },
    { id: 17, file_name: 'street/0002.jpg', width: 800, height: 600, license: 3, flickr_url: 'https://example.org/f/2' },
    { id: 4, file_name: 'street/0003.jpg', width: 320, height: 240 },
  ],
  categories: [
    { id: 90, name: 'car', supercategory: 'vehicle' },
    { id: 3, name: 'person', supercategory: 'human', keypoints: ['nose', 'eye'], skeleton: [[1, 2]] },
    { id: 7, name: 'sign', supercategory: 'object' },
  ],
  annotations: [
    { id: 501, image_id: 1000003, category_id: 90, bbox: [10.5, 20.25, 100, 50], area: 4321.5, iscrowd: 0, segmentation: [[10.5, 20.25, 110.5, 20.25, 110.5, 70.25]] },
    { id: 77, image_id: 1000003, category_id: 3, bbox: [300, 100, 40, 120], area: 3000, iscrowd: 0, segmentation: [[300, 100, 340, 100, 340, 220]], attributes: { occluded: true } },
    { id: 9000000001, image_id: 17, category_id: 3, bbox: [0, 0, 400, 300], area: 90000, iscrowd: 1, segmentation: { counts: [0, 5, 10], size: [600, 800] } },
    { id: 12, image_id: 17, category_id: 90, bbox: [500, 400, 50, 60], area: 3000, iscrowd: 0, segmentation: [] },
  ],
})

/** Items as an image import leaves them, named as the file names them. */
const projectWithImages = (): Y.Doc => {
  const doc = D.createProject({ name: 'Streets' })
  for (const image of original().images) {
    D.addItem(doc, { name: image.file_name, blob: sha(image.file_name), mime: 'image/jpeg', width: image.width, height: image.height }, ann)
  }
  return doc
}

const importInto = (doc: Y.Doc, json: unknown): void => {
  const coco = parseCoco(json)
  if (!coco.ok) throw new Error(coco.error)
  applyCocoImport(doc, planCocoImport(D.readProject(doc), coco.value), ann)
}

const STRATA_FIELDS = ['strata_id', 'sha256', 'mime', 'tags', 'color']

/** A COCO file without Strata's own fields, each list sorted by id: "equal modulo order". */
const normalised = (file: Record<string, unknown>) => {
  const strip = (list: unknown): unknown[] => (list as Array<Record<string, unknown>>)
    .map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !STRATA_FIELDS.includes(k))))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)))
  const { strata: _strata, ...rest } = file
  return { ...rest, images: strip(file.images), annotations: strip(file.annotations), categories: strip(file.categories) }
}

const exportOf = (doc: Y.Doc): CocoFile => JSON.parse(JSON.stringify(toCoco(D.readProject(doc)))) as CocoFile

describe('a faithful COCO round trip', () => {
  it('import then export gives back the same file, modulo order and Strata’s own fields', () => {
    const doc = projectWithImages()
    importInto(doc, original())
    expect(normalised(exportOf(doc))).toEqual(normalised(original()))
  })

  it('an old version’s export after edits equals the original; edits keep ids, new records get ids that collide with none', () => {
    const doc = projectWithImages()
    importInto(doc, original())
    const v1 = D.createVersion(doc, { name: 'imported' }, ann)
    const p = D.readProject(doc)
    const first = p.items.find((i) => i.name === 'street/0001.jpg')!
    const moved = first.labels.find((l) => l.coco?.id === 501)!
    D.updateLabel(doc, first.id, moved.id, { bbox: [12, 22, 100, 50] }, ann)
    const truck = D.addClass(doc, { name: 'truck' })
    D.addLabel(doc, first.id, { classId: truck, bbox: [1, 1, 10, 10] }, ann)
    D.removeLabel(doc, first.id, first.labels.find((l) => l.coco?.id === 77)!.id)

    const old = JSON.parse(JSON.stringify(toCoco(D.readProject(D.openVersion(doc, v1.id)), v1.id))) as CocoFile
    expect(normalised(old)).toEqual(normalised(original()))

    const latest = exportOf(doc)
    const ann501 = latest.annotations.find((a) => a.id === 501)!
    // The box moved: the same annotation, but COCO's area and polygon no longer describe it.
    expect(ann501).toMatchObject({ bbox: [12, 22, 100, 50], area: 5000, iscrowd: 0, category_id: 90 })
    expect(ann501.segmentation).toBeUndefined()
    expect(latest.annotations.some((a) => a.id === 77)).toBe(false)
    const made = latest.annotations.find((a) => !original().annotations.some((o) => o.id === a.id))!
    const newCategory = latest.categories.find((c) => c.name === 'truck')!
    expect(made.category_id).toBe(newCategory.id)
    for (const [list, ids] of [[latest.annotations, original().annotations], [latest.categories, original().categories]] as const) {
      expect(new Set(list.map((r) => r.id)).size).toBe(list.length)
      expect(typeof (list.at(-1) as { id: unknown }).id).toBe('number')
      expect(ids.length).toBeGreaterThan(0)
    }
    // The same ids in every export: a results file made against one export still fits the next.
    expect(exportOf(doc).annotations.find((a) => a.category_id === newCategory.id)?.id).toBe(made.id)
  })

  it('a Strata export re-imported into an empty project gives back the same COCO file', () => {
    const doc = projectWithImages()
    importInto(doc, original())
    const first = exportOf(doc)
    const copy = D.createProject({ name: 'Copy' })
    importInto(copy, first)
    expect(normalised(exportOf(copy))).toEqual(normalised(first))
  })
})
