import { describe, expect, it } from 'vitest'
import { createProject, readProject } from '../../src/domain/index.ts'
import { describePredictions, importRun, preparePredictions, readRunBlob, sha256Hex, toCoco, toCocoResults, type StoredPrediction } from '../../src/io/index.ts'
import { ann, sampleProject } from './fixtures.ts'

const project = () => {
  const doc = sampleProject()
  const p = readProject(doc)
  const [a, b] = [p.items.find((i) => i.name === 'a.jpg')!, p.items.find((i) => i.name === 'b.png')!]
  const [car, person] = [p.classes.find((c) => c.name === 'car')!, p.classes.find((c) => c.name === 'person')!]
  return { doc, p, a, b, car, person }
}

const refused = (r: { ok: boolean; error?: string }): string => {
  if (r.ok) throw new Error('expected the file to be refused')
  return r.error ?? ''
}

describe('preparePredictions', () => {
  it('reads Strata ids directly', () => {
    const { p, a, car } = project()
    const r = preparePredictions(p, [{ image_id: a.id, category_id: car.id, bbox: [1, 2, 3, 4], score: 0.9 }])
    expect(r).toEqual({ ok: true, value: { predictions: [{ image_id: a.id, category_id: car.id, bbox: [1, 2, 3, 4], score: 0.9 }], report: { count: 1, images: 1, skipped: 0, skippedImages: [], clipped: 0, dropped: 0 } } })
  })

  it('maps COCO integer ids through a reference file by file_name and category name', () => {
    const { p, a, b, car, person } = project()
    const reference = {
      images: [{ id: 11, file_name: 'a.jpg', width: 640, height: 480 }, { id: 12, file_name: 'b.png', width: 100, height: 50 }, { id: 13, file_name: 'gone.jpg', width: 9, height: 9 }],
      categories: [{ id: 1, name: 'person' }, { id: 2, name: 'car' }],
      annotations: [],
    }
    const rows = [
      { image_id: 11, category_id: 1, bbox: [1, 1, 10, 10], score: 0.5 },
      { image_id: 12, category_id: 2, bbox: [0, 0, 100, 50], score: 1 },
      { image_id: 13, category_id: 2, bbox: [0, 0, 1, 1], score: 0.1 },
    ]
    const r = preparePredictions(p, rows, reference)
    if (!r.ok) throw new Error(r.error)
    expect(r.value.predictions.map((x) => [x.image_id, x.category_id])).toEqual([[a.id, person.id], [b.id, car.id]])
    expect(r.value.report).toEqual({ count: 2, images: 2, skipped: 1, skippedImages: ['13'], clipped: 0, dropped: 0 })
  })

  it('refuses bad files whole, naming what is wrong', () => {
    const { p, a, car } = project()
    expect(refused(preparePredictions(p, { annotations: [] }))).toMatch(/not a COCO results list/)
    expect(refused(preparePredictions(p, [{ image_id: a.id, category_id: 'nope', bbox: [1, 1, 1, 1], score: 0.5 }]))).toMatch(/category_id nope is not a class of the project/)
    expect(refused(preparePredictions(p, [{ image_id: a.id, category_id: car.id, bbox: [1, 1, 1, 1], score: 3 }]))).toMatch(/row 0 needs a score between 0 and 1, got 3/)
    expect(refused(preparePredictions(p, [{ image_id: a.id, category_id: car.id, bbox: [1, 1], score: 0.2 }]))).toMatch(/row 0 needs a bbox/)
    expect(refused(preparePredictions(p, [{ image_id: 5, category_id: car.id, bbox: [1, 1, 1, 1], score: 0.2 }]))).toMatch(/row 0 names image_id 5, which is no image of the project.*file_name/)
  })

  it('cuts boxes partly outside their image, leaves out those with nothing inside, and says how many', () => {
    const { p, a, car } = project()
    const row = (bbox: unknown[]) => ({ image_id: a.id, category_id: car.id, bbox, score: 0.5 })
    const r = preparePredictions(p, [row([630, -2, 20, 10]), row([700, 10, 5, 5]), row([10, 10, 0, 5]), row([1, 1, 2, 2])])
    if (!r.ok) throw new Error(r.error)
    expect(r.value.predictions.map((x) => x.bbox)).toEqual([[630, 0, 10, 8], [1, 1, 2, 2]])
    expect(r.value.report).toMatchObject({ count: 2, clipped: 1, dropped: 2 })
    expect(describePredictions(r.value.report)).toBe('2 predictions on 1 images; 1 boxes cut to their image; 2 boxes with nothing inside their image left out')
  })

  it('refuses broken rows naming the row and the value as written', () => {
    const { p, a, car } = project()
    expect(refused(preparePredictions(p, [{ image_id: a.id, category_id: car.id, bbox: [1, 1, '50', 50], score: 0.5 }]))).toMatch(/row 0 needs a bbox \[x, y, w, h\] of four finite numbers, got \[1,1,"50",50\]/)
    expect(refused(preparePredictions(p, [{ image_id: a.id, category_id: car.id, bbox: [1, 1, 5, 5], score: '0.9' }]))).toMatch(/row 0 needs a score between 0 and 1, got "0.9"/)
    expect(refused(preparePredictions(p, [{ image_id: a.id, category_id: car.id, bbox: [1, 1, 5, 5], score: 0.3 }, { image_id: null, category_id: car.id, bbox: [1, 1, 5, 5], score: 0.3 }]))).toMatch(/row 1 needs an image_id, got null/)
  })
})

describe('prediction runs', () => {
  it('become an immutable blob named by its sha256 and a run record pointing at it', async () => {
    const { doc, p, a, car } = project()
    const prepared = preparePredictions(p, [{ image_id: a.id, category_id: car.id, bbox: [1, 2, 3, 4], score: 0.75 }])
    if (!prepared.ok) throw new Error(prepared.error)
    const saved = new Map<string, Uint8Array>()
    const r = await importRun(doc, { name: 'yolo epoch 3', model: 'yolov8n' }, prepared.value.predictions, ann, async (bytes, hash) => void saved.set(hash, bytes))
    if (!r.ok) throw new Error(r.error)
    const bytes = saved.get(r.value.sha256)!
    expect(await sha256Hex(new Uint8Array(bytes))).toBe(r.value.sha256)
    expect(readRunBlob(JSON.parse(new TextDecoder().decode(bytes)))).toEqual(prepared.value.predictions)
    expect(readProject(doc).runs).toMatchObject([{ id: r.value.runId, name: 'yolo epoch 3', model: 'yolov8n', blob: r.value.sha256, count: 1 }])
    expect(await importRun(doc, { name: ' ' }, [], ann, async () => undefined)).toMatchObject({ ok: false })
  })

  it('export as COCO results and import back to the same predictions in another project', () => {
    const { p, a, b, car, person } = project()
    const predictions: StoredPrediction[] = [
      { image_id: a.id, category_id: person.id, bbox: [1, 1, 10, 10], score: 0.25 },
      { image_id: b.id, category_id: car.id, bbox: [2, 2, 3, 3], score: 0.5 },
    ]
    const gt = toCoco(p)
    const { results, leftOut } = toCocoResults(predictions, gt)
    expect(leftOut).toBe(0)
    expect(results.every((r) => typeof r.image_id === 'number' && typeof r.category_id === 'number')).toBe(true)
    // The pair of files, by file_name and category name, into a project rebuilt elsewhere.
    const other = createProject({ name: 'Elsewhere' })
    const again = preparePredictions(readProject(other), results, JSON.parse(JSON.stringify(gt)))
    expect(again.ok).toBe(false)
    const back = preparePredictions(p, JSON.parse(JSON.stringify(results)), JSON.parse(JSON.stringify(gt)))
    if (!back.ok) throw new Error(back.error)
    expect(back.value.predictions).toEqual(predictions)
  })
})
