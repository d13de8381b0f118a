import { describe, expect, test } from 'vitest'
import { type RunRecord, addClass, addItem, addLabel, addRun, createProject } from '../../src/domain/index.ts'
import { QualityResults } from '../../src/state/quality.svelte.ts'
import type { Connect } from '../../src/state/qualityClient.ts'
import { qualityHost } from '../../src/sync/qualityProtocol.ts'
import type { BlobStore } from '../../src/sync/blobs.ts'

const by = { id: 'u1', name: 'Ada' }

/** Metrics workers in this process; counts how many are open. */
const workers = () => {
  let open = 0
  const connect: Connect = (onReply) => {
    open++
    let closed = false
    const host = qualityHost((reply) => queueMicrotask(() => !closed && onReply(structuredClone(reply))))
    return { post: (request) => void host(request), close: () => { if (!closed) open--; closed = true } }
  }
  return { connect, open: () => open }
}

describe('QualityResults', () => {
  test('keeps each result’s worker for drill-down and ends it when replaced, cleared or destroyed', async () => {
    const doc = createProject({ name: 'Q' })
    const car = addClass(doc, { name: 'car' })
    const item = addItem(doc, { name: 'a.png', blob: 'b'.repeat(64), mime: 'image/png', width: 50, height: 50 }, by)
    addLabel(doc, item, { classId: car, bbox: [0, 0, 10, 10] }, by)
    const predictions = new Blob([JSON.stringify([{ image_id: item, category_id: car, bbox: [30, 30, 10, 10], score: 0.9 }])])
    const runId = addRun(doc, { name: 'R', model: 'm', blob: 'c'.repeat(64), count: 1 }, by)
    const run: RunRecord = { name: 'R', model: 'm', blob: 'c'.repeat(64), count: 1, createdAt: 0, by }
    const blobs = { get: async () => predictions } as unknown as BlobStore
    const w = workers()
    const quality = new QualityResults(blobs, w.connect)
    const job = { side: { version: 'latest' as const, runId }, doc, run, versionName: 'Latest' }

    await quality.compute([job, job], { iou: 0.5, score: 0.5 })
    expect(quality.error).toBeNull()
    expect(quality.results.map((m) => [m.letter, m.report.overall.fp, m.report.overall.fn])).toEqual([['A', 1, 1], ['B', 1, 1]])
    expect(w.open()).toBe(2)
    expect(await quality.items(1, { kind: 'detection', classId: '', outcomes: ['fp'] })).toEqual([item])
    expect((await quality.boxes(item)).map((b) => b.outcome)).toEqual(['fn', 'fp'])
    expect(await quality.changed()).toEqual([])

    await quality.compute([job], { iou: 0.5, score: 0.5 })
    expect(w.open()).toBe(1)
    quality.marking = -1
    expect(await quality.boxes(item)).toEqual([])
    quality.clear()
    expect([quality.results.length, w.open()]).toEqual([0, 0])
    await quality.compute([job], { iou: 0.5, score: 0.5 })
    quality.destroy()
    expect(w.open()).toBe(0)
  })
})
