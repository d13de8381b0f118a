import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import * as D from '../../src/domain/index.ts'
import { applyCocoImport, compareCocoIds, parseCoco, planCocoImport, preparePredictions, runText, toCoco } from '../../src/io/index.ts'
import { cocoEvaluate } from '../../src/quality/cocoeval.ts'
import { STATS_ORDER, summarize } from '../../src/quality/cocoStats.ts'
import { type CocoStats, detectionsOf, evaluate, truthOf } from '../../src/quality/index.ts'
import { ann, sha } from '../io/fixtures.ts'

const dir = path.join(import.meta.dirname, 'cocoeval')
const cases = fs.readdirSync(path.join(dir, 'cases')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort()
const read = <T>(...parts: string[]): T => JSON.parse(fs.readFileSync(path.join(dir, ...parts), 'utf8')) as T

interface Case {
  gt: { images: Array<{ id: number, file_name: string, width: number, height: number }>, [k: string]: unknown }
  dt: Array<{ image_id: number, category_id: number, bbox: [number, number, number, number], score: number }>
}
interface Expected { stats: number[], perClass: Record<string, number[]> }

const asCoco = (stats: CocoStats): number[] => STATS_ORDER.map((k) => stats[k] ?? -1)
const near = (xs: number[]) => xs.map((v) => expect.closeTo(v, 6))

/** The case as a user brings it in: images, then the COCO file, then the detector's results in the file's own ids. */
const imported = (c: Case) => {
  const doc = D.createProject({ name: 'Oracle' })
  for (const image of c.gt.images) D.addItem(doc, { name: image.file_name, blob: sha(image.file_name), mime: 'image/jpeg', width: image.width, height: image.height }, ann)
  const coco = parseCoco(c.gt)
  if (!coco.ok) throw new Error(coco.error)
  applyCocoImport(doc, planCocoImport(D.readProject(doc), coco.value), ann)
  const project = D.readProject(doc)
  const run = preparePredictions(project, c.dt)
  if (!run.ok) throw new Error(run.error)
  // Through the run's stored file, as the Quality view reads it.
  const { detections } = detectionsOf(JSON.parse(runText(run.value.predictions)))
  return { project, detections }
}

describe('metrics the way a user gets them equal pycocotools', () => {
  test.each(cases)('%s: images, COCO import, predictions import, Quality', (name) => {
    const c = read<Case>('cases', `${name}.json`)
    const expected = read<Expected>('expected', `${name}.json`)
    const { project, detections } = imported(c)
    const report = evaluate(truthOf(project), detections, { iou: 0.5, score: 0 })
    expect(asCoco(report.overall)).toEqual(near(expected.stats))
    for (const row of report.classes) {
      const category = String(project.classes.find((k) => k.id === row.classId)?.coco?.id)
      expect([category, asCoco(row)]).toEqual([category, near(expected.perClass[category] ?? [])])
    }
  })

  test.each(cases)('%s: the results file in its original ids scores the same against Strata’s export', (name) => {
    const c = read<Case>('cases', `${name}.json`)
    const expected = read<Expected>('expected', `${name}.json`)
    const exported = JSON.parse(JSON.stringify(toCoco(imported(c).project))) as {
      images: Array<{ id: number }>, categories: Array<{ id: number }>,
      annotations: Array<{ image_id: number, category_id: number, bbox: [number, number, number, number], area: number, iscrowd: number }>
    }
    const e = cocoEvaluate(
      exported.images.map((i) => i.id).sort(compareCocoIds).map(String),
      exported.categories.map((k) => k.id).sort(compareCocoIds).map(String),
      exported.annotations.map((a) => ({ itemId: String(a.image_id), classId: String(a.category_id), bbox: a.bbox, area: a.area, crowd: a.iscrowd === 1 })),
      c.dt.map((d) => ({ itemId: String(d.image_id), classId: String(d.category_id), bbox: d.bbox, score: d.score })),
    )
    expect(asCoco(summarize(e))).toEqual(near(expected.stats))
  })
})
