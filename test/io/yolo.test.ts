import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { type YoloOptions, applyCocoImport, crc32, parseCoco, parseYolo, planCocoImport, readZip, toYolo, writeYoloZip } from '../../src/io/index.ts'
import { ann, sha } from './fixtures.ts'

/** Exports to a zip (every image "fetched" as a few bytes), reads it back, parses the layout. */
const roundTrip = async (project: D.ProjectJson, options: YoloOptions = {}) => {
  const exp = toYolo(project, options)
  const parts: Uint8Array[] = []
  const missing = await writeYoloZip(exp, async (im) => {
    const body = new TextEncoder().encode(`bytes of ${im.blob}`)
    return { body, size: body.length, crc: crc32(body) }
  }, (p) => void parts.push(p))
  const zip = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  parts.reduce((at, p) => (zip.set(p, at), at + p.length), 0)
  const files = readZip(zip)
  if (!files.ok) throw new Error(files.error)
  const parsed = parseYolo(files.value)
  if (!parsed.ok) throw new Error(parsed.error)
  const notes = JSON.parse(new TextDecoder().decode(files.value.get('strata.json'))) as { items: Array<{ image: string; strata_id: string }> }
  return { exp, zip, files: files.value, dataset: parsed.value, missing, itemOf: new Map(notes.items.map((i) => [i.image, i.strata_id])) }
}

/** Boxes at awkward sizes and positions: fractions, a whole image, a 1-pixel box in a corner, a 9000-pixel-wide image. */
const awkward = (): Y.Doc => {
  const doc = D.createProject({ name: 'Awkward' })
  const car = D.addClass(doc, { name: 'car' })
  const person = D.addClass(doc, { name: 'person' })
  const big = D.addItem(doc, { name: 'big.jpg', blob: sha('big'), mime: 'image/jpeg', width: 9000, height: 7001 }, ann)
  const small = D.addItem(doc, { name: 'small.png', blob: sha('small'), mime: 'image/png', width: 7, height: 3 }, ann)
  D.addItem(doc, { name: 'empty.png', blob: sha('empty'), mime: 'image/png', width: 10, height: 10 }, ann)
  D.addLabel(doc, big, { classId: car, bbox: [1234.567891, 0.333333, 4321.123457, 6000.987654] }, ann)
  D.addLabel(doc, big, { classId: person, bbox: [8999, 7000, 1, 1] }, ann)
  D.addLabel(doc, big, { classId: person, bbox: [0, 0, 9000, 7001] }, ann)
  D.addLabel(doc, small, { classId: car, bbox: [1 / 3, 2 / 3, 5.5, 1.25] }, ann)
  return doc
}

describe('YOLO export', () => {
  it('parses back to every box within 1e-6 of the image size, on the right class', async () => {
    const project = D.readProject(awkward())
    const { dataset, itemOf } = await roundTrip(project)
    const entries = dataset.splits.train!
    expect(entries.map((e) => e.image).sort()).toEqual(['images/train/big.jpg', 'images/train/empty.png', 'images/train/small.png'])
    let boxes = 0
    for (const entry of entries) {
      const item = project.items.find((i) => i.id === itemOf.get(entry.image))!
      const back = entry.boxes.map((b) => ({
        name: dataset.names[b.classIndex], x: (b.cx - b.w / 2) * item.width, y: (b.cy - b.h / 2) * item.height, w: b.w * item.width, h: b.h * item.height,
      }))
      expect(back).toHaveLength(item.labels.length)
      item.labels.forEach((label, i) => {
        const got = back[i]!
        expect(got.name).toBe(project.classes.find((c) => c.id === label.classId)!.name)
        const [x, y, w, h] = label.bbox
        for (const [a, b, size] of [[got.x, x, item.width], [got.w, w, item.width], [got.y, y, item.height], [got.h, h, item.height]] as const) {
          expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * size)
        }
        boxes++
      })
    }
    expect(boxes).toBe(4)
  })

  it('writes the class names in COCO id order, any name surviving data.yaml', async () => {
    const doc = D.createProject({ name: 'Fruit' })
    D.addItem(doc, { name: 'f.jpg', blob: sha('f'), mime: 'image/jpeg', width: 100, height: 100 }, ann)
    const coco = parseCoco({
      images: [{ id: 1, file_name: 'f.jpg', width: 100, height: 100 }],
      categories: [{ id: 9, name: 'mango' }, { id: 2, name: 'apple: "green" # not a comment' }, { id: 5, name: "zebra's" }],
      annotations: [{ id: 1, image_id: 1, category_id: 9, bbox: [10, 10, 20, 20] }, { id: 2, image_id: 1, category_id: 2, bbox: [50, 50, 10, 10] }],
    })
    if (!coco.ok) throw new Error(coco.error)
    applyCocoImport(doc, planCocoImport(D.readProject(doc), coco.value), ann)
    D.addClass(doc, { name: 'added in Strata' })
    const { dataset, files } = await roundTrip(D.readProject(doc))
    expect(dataset.names).toEqual(['apple: "green" # not a comment', "zebra's", 'mango', 'added in Strata'])
    expect(new TextDecoder().decode(files.get('data.yaml'))).toMatch(/\nnc: 4\nnames:\n {2}0: "apple: \\"green\\" # not a comment"\n/)
    expect(dataset.splits.train![0]!.boxes.map((b) => dataset.names[b.classIndex])).toEqual(['mango', 'apple: "green" # not a comment'])
  })

  it('leaves crowd regions out and counts them', async () => {
    const doc = D.createProject({ name: 'Crowd' })
    D.addItem(doc, { name: 'c.jpg', blob: sha('c'), mime: 'image/jpeg', width: 100, height: 100 }, ann)
    const coco = parseCoco({
      images: [{ id: 1, file_name: 'c.jpg', width: 100, height: 100 }],
      categories: [{ id: 1, name: 'person' }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 50, 50], iscrowd: 1 }, { id: 2, image_id: 1, category_id: 1, bbox: [60, 60, 10, 10], iscrowd: 0 }],
    })
    if (!coco.ok) throw new Error(coco.error)
    applyCocoImport(doc, planCocoImport(D.readProject(doc), coco.value), ann)
    const { dataset, exp } = await roundTrip(D.readProject(doc))
    expect(exp.report).toMatchObject({ labels: 1, crowdLeftOut: 1 })
    expect(dataset.splits.train![0]!.boxes).toEqual([{ classIndex: 0, cx: 0.65, cy: 0.65, w: 0.1, h: 0.1 }])
  })

  it('splits by tag: held-out lists win, untagged items go to train, tag names are configurable', async () => {
    const doc = D.createProject({ name: 'Split' })
    const add = (name: string, ...tags: string[]) => {
      const id = D.addItem(doc, { name, blob: sha(name), mime: 'image/png', width: 10, height: 10 }, ann)
      for (const t of tags) D.setTag(doc, id, t, true)
    }
    add('t1.png', 'fit')
    add('t2.png', 'fit', 'night')
    add('v1.png', 'check')
    add('both.png', 'fit', 'check')
    add('x1.png', 'exam')
    add('none.png', 'night')
    const { dataset, exp, files } = await roundTrip(D.readProject(doc), { split: { train: 'fit', val: 'check', test: 'exam' } })
    const stems = (split: string) => dataset.splits[split]!.map((e) => e.image.replace(/^images\/\w+\//, '')).sort()
    expect(stems('train')).toEqual(['none.png', 't1.png', 't2.png'])
    expect(stems('val')).toEqual(['both.png', 'v1.png'])
    expect(stems('test')).toEqual(['x1.png'])
    expect(exp.report).toMatchObject({ perSplit: { train: 3, val: 2, test: 1 }, untagged: 1, inSeveral: 1, valIsTrain: false })
    expect(dataset.splits.val!.every((e) => e.image.startsWith('images/val/') && files.has(e.image) && files.has(e.labels))).toBe(true)

    // Without the split (or with no item in val) Ultralytics still gets a val list: train's.
    const plain = await roundTrip(D.readProject(doc))
    expect(Object.keys(plain.dataset.splits)).toEqual(['train', 'val'])
    expect(plain.dataset.splits.val).toEqual(plain.dataset.splits.train)
    expect(plain.files.has('test.txt')).toBe(false)
    expect(plain.exp.report.valIsTrain).toBe(true)
  })

  it('never trusts item names into paths: safe, unique ignoring case, one per item', async () => {
    const names = ['../../etc/passwd.png', '/abs/x.png', 'a/b.png', 'a__b.png', 'A/B.png', 'CON.png', '.hidden.png', 'x?*<>|:".png', 'images/labels/y.png', 'ü ñ.png', `${'long'.repeat(45)}.png`, '..', 'a\\..\\b.png']
    const doc = D.createProject({ name: 'Names' })
    for (const name of names) D.addItem(doc, { name, blob: sha(name), mime: 'image/png', width: 4, height: 4 }, ann)
    const { files, dataset, itemOf } = await roundTrip(D.readProject(doc))
    const images = dataset.splits.train!.map((e) => e.image)
    expect(images).toHaveLength(names.length)
    expect(new Set(images.map((i) => i.toLowerCase())).size).toBe(names.length)
    expect(new Set(itemOf.values()).size).toBe(names.length)
    for (const path of files.keys()) {
      expect(path).toMatch(/^(data\.yaml|strata\.json|train\.txt|(images|labels)\/train\/[A-Za-z0-9][A-Za-z0-9._-]{0,125}\.(png|txt))$/)
      expect(path.split('/')).not.toContain('..')
      expect(path.split('/').pop()).not.toMatch(/^(con|prn|aux|nul)\./i)
    }
    expect(images).toContain('images/train/etc__passwd.png')
  })
})
