import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import type { BBox } from '../../src/domain/index.ts'
import { compareCocoIds } from '../../src/io/cocoIds.ts'
import { cocoEvaluate, type EvalDetection, type EvalTruth } from '../../src/quality/cocoeval.ts'
import { STATS_ORDER, summarize } from '../../src/quality/cocoStats.ts'

const dir = path.join(import.meta.dirname, 'cocoeval')

interface Case {
  name: string
  gt: {
    images: Array<{ id: number }>
    categories: Array<{ id: number }>
    annotations: Array<{ image_id: number, category_id: number, bbox: BBox, area: number, iscrowd: number }>
  }
  dt: Array<{ image_id: number, category_id: number, bbox: BBox, score: number }>
}
interface Expected { stats: number[], perClass: Record<string, number[]> }

const cases = fs.readdirSync(path.join(dir, 'cases')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort()

const read = <T>(...parts: string[]): T => JSON.parse(fs.readFileSync(path.join(dir, ...parts), 'utf8')) as T

/** Stats as COCOeval prints them: -1 where there is nothing to average. */
const asCoco = (stats: ReturnType<typeof summarize>): number[] => STATS_ORDER.map((k) => stats[k] ?? -1)

describe('the COCOeval port against pycocotools', () => {
  test('every case has pycocotools numbers', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10)
    for (const name of cases) expect(fs.existsSync(path.join(dir, 'expected', `${name}.json`))).toBe(true)
  })

  test.each(cases)('%s: the 12 stats overall and per class equal pycocotools within 1e-6', (name) => {
    const c = read<Case>('cases', `${name}.json`)
    const expected = read<Expected>('expected', `${name}.json`)
    const images = c.gt.images.map((i) => i.id).sort(compareCocoIds).map(String)
    const classes = c.gt.categories.map((k) => k.id).sort(compareCocoIds).map(String)
    const truths: EvalTruth[] = c.gt.annotations.map((a) => ({ itemId: String(a.image_id), classId: String(a.category_id), bbox: a.bbox, area: a.area, crowd: a.iscrowd === 1 }))
    const detections: EvalDetection[] = c.dt.map((d) => ({ itemId: String(d.image_id), classId: String(d.category_id), bbox: d.bbox, score: d.score }))
    const result = cocoEvaluate(images, classes, truths, detections)
    expect(asCoco(summarize(result))).toEqual(expected.stats.map((v) => expect.closeTo(v, 6)))
    classes.forEach((classId, k) => {
      expect([classId, asCoco(summarize(result, k))]).toEqual([classId, (expected.perClass[classId] ?? []).map((v) => expect.closeTo(v, 6))])
    })
  })
})
