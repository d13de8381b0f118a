import { afterEach, describe, expect, test, vi } from 'vitest'
import { type RunId, type RunRecord, addClass, addItem, addLabel, createProject } from '../../src/domain/index.ts'
import { Measures } from '../../src/engine/measures.ts'
import { QualityClient } from '../../src/engine/qualityClient.ts'
import { memoryFiles } from './memory.ts'

const by = { id: 'u1', name: 'Ada' }
const options = { iou: 0.5, score: 0.5 }

/** One truth box and one prediction beside it: one false positive, one miss. */
const setup = () => {
  const doc = createProject({ name: 'Q' })
  const car = addClass(doc, { name: 'car' })
  const item = addItem(doc, { name: 'a.png', blob: 'b'.repeat(64), mime: 'image/png', width: 50, height: 50 }, by)
  addLabel(doc, item, { classId: car, bbox: [0, 0, 10, 10] }, by)
  const blobs = memoryFiles()
  blobs.files.set('c'.repeat(64), new Blob([JSON.stringify([{ image_id: item, category_id: car, bbox: [30, 30, 10, 10], score: 0.9 }])]))
  const run: RunRecord = { name: 'R', model: 'm', blob: 'c'.repeat(64), count: 1, createdAt: 0, by }
  const job = { version: 'latest' as const, doc, runId: 'r1' as RunId, run, versionName: 'Latest' }
  return { item, blobs, job }
}

afterEach(() => vi.restoreAllMocks())

describe('Measures', () => {
  test('keeps each result’s evaluation for drill-down and ends it when replaced, cleared or destroyed', async () => {
    const { item, blobs, job } = setup()
    const closed = vi.spyOn(QualityClient.prototype, 'close')
    let changes = 0
    const measures = new Measures(blobs, () => changes++)

    await measures.measure([job, job], options)
    expect(measures.topic.error).toBeNull()
    expect(measures.topic.progress).toBeNull()
    expect(measures.topic.results.map((m) => [m.letter, m.versionName, m.runName, m.report.overall.fp, m.report.overall.fn])).toEqual([['A', 'Latest', 'R', 1, 1], ['B', 'Latest', 'R', 1, 1]])
    expect(changes).toBeGreaterThan(0)
    expect(closed).not.toHaveBeenCalled()
    expect(await measures.items(1, { kind: 'detection', classId: '', outcomes: ['fp'] })).toEqual([item])
    expect((await measures.boxes(item)).map((b) => b.outcome)).toEqual(['fn', 'fp'])
    expect(await measures.changedItems()).toEqual([])

    await measures.measure([job], options)
    expect(measures.topic.results.map((m) => m.letter)).toEqual([''])
    expect(closed).toHaveBeenCalledTimes(2)
    expect(await measures.items(1, { kind: 'detection', classId: '', outcomes: ['fp'] })).toEqual([])
    measures.markWith(-1)
    expect(measures.topic.marking).toBe(-1)
    expect(await measures.boxes(item)).toEqual([])

    measures.clear()
    expect(measures.topic.results).toEqual([])
    expect(closed).toHaveBeenCalledTimes(3)
    await measures.measure([job], options)
    measures.destroy()
    expect(closed).toHaveBeenCalledTimes(4)
  })

  test('says why a run cannot be measured, in words, and keeps the results it had', async () => {
    const { blobs, job } = setup()
    const measures = new Measures(blobs, () => undefined)
    await measures.measure([job], options)
    blobs.files.clear()
    await measures.measure([job], options)
    expect(measures.topic.error).toBe('The predictions of run "R" are not on this device or the server yet; connect once to fetch them')
    expect(measures.topic.results).toHaveLength(1)
    measures.destroy()
  })

  test('a measurement cancelled stops without an error and without results', async () => {
    const { blobs, job } = setup()
    const measures = new Measures(blobs, () => undefined)
    const measuring = measures.measure([job], options)
    measures.cancel()
    await measuring
    expect(measures.topic).toEqual({ results: [], progress: null, error: null, marking: 0 })
  })
})
