import { describe, expect, test } from 'vitest'
import { QualityClient, type Connect } from '../../src/engine/qualityClient.ts'
import { MISMATCH, QUALITY_PROTOCOL, type QualityReply, qualityHost } from '../../src/engine/metricsProtocol.ts'

/** The worker's host in this process, behind the same asynchronous line a Worker is. */
const inProcess = (): { connect: Connect; closed: () => boolean } => {
  let closed = false
  const connect: Connect = (onReply) => {
    const host = qualityHost((reply) => queueMicrotask(() => !closed && onReply(structuredClone(reply))))
    return { post: (request) => void host(request), close: () => { closed = true } }
  }
  return { connect, closed: () => closed }
}

const truth = { items: ['a', 'b'], classes: ['car'], boxes: [{ itemId: 'a', classId: 'car', bbox: [0, 0, 10, 10] as [number, number, number, number] }, { itemId: 'b', classId: 'car', bbox: [0, 0, 10, 10] as [number, number, number, number] }] }
const results = new Blob([JSON.stringify([
  { image_id: 'a', category_id: 'car', bbox: [0, 0, 10, 10], score: 0.9 },
  { image_id: 'b', category_id: 'car', bbox: [50, 50, 10, 10], score: 0.8 },
])])

describe('the metrics worker’s protocol', () => {
  test('evaluates, keeps the evaluation and answers for items, boxes and errors; close ends it', async () => {
    const line = inProcess()
    const client = new QualityClient(line.connect)
    const stages: string[] = []
    const { report } = await client.evaluate(truth, results, { iou: 0.5, score: 0.5 }, (p) => stages.push(p.stage))
    expect(stages).toContain('Matching classes')
    expect([report.overall.tp, report.overall.fp, report.overall.fn]).toEqual([1, 1, 1])
    expect(await client.items({ kind: 'detection', classId: 'car', outcomes: ['fp', 'confused'] })).toEqual(['b'])
    expect((await client.boxes('b')).map((x) => `${x.kind} ${x.outcome}`)).toEqual(['truth fn', 'detection fp'])
    expect(await client.errors()).toEqual([{ itemId: 'b', fp: 1, fn: 1 }])
    client.close()
    expect(line.closed()).toBe(true)
    await expect(client.items({ kind: 'detection', classId: 'car', outcomes: ['tp'] })).rejects.toThrow('Closed')
  })

  test('a worker asked before it measured says so', async () => {
    const client = new QualityClient(inProcess().connect)
    await expect(client.boxes('a')).rejects.toThrow('Nothing has been measured')
  })

  test('a tab and a worker of different protocol versions refuse each other with a reason', async () => {
    const replies: QualityReply[] = []
    await qualityHost((r) => replies.push(r))({ id: 7, kind: 'boxes', itemId: 'a' }) // an older tab's message: no version
    expect(replies).toEqual([{ v: QUALITY_PROTOCOL, id: 7, kind: 'error', message: MISMATCH }])
    // An older worker answers without a version: the tab stops waiting and says why.
    const old: Connect = (onReply) => ({ post: (request) => queueMicrotask(() => onReply({ kind: 'done', id: request.id, report: {}, skipped: 0 })), close: () => undefined })
    await expect(new QualityClient(old).evaluate(truth, results, { iou: 0.5, score: 0.5 })).rejects.toThrow(MISMATCH)
  })

  test('a predictions file that is not JSON is refused in words', async () => {
    const client = new QualityClient(inProcess().connect)
    await expect(client.evaluate(truth, new Blob(['{oops']), { iou: 0.5, score: 0.5 })).rejects.toThrow('not valid JSON')
  })
})
