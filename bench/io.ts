import { createHash } from 'node:crypto'
import type * as Y from 'yjs'
import * as YJS from 'yjs'
import { type Actor, addClass, addItem, createProject, readProject } from '../src/domain/index.ts'
import { applyCocoImport, importRun, parseCoco, parseJsonText, planCocoImport, preparePredictions } from '../src/io/index.ts'
import { median } from './stats.ts'

const actor: Actor = { id: 'bench', name: 'Bench' }
const CLASSES = ['car', 'person', 'bicycle', 'truck', 'dog', 'cat', 'bus', 'sign', 'light', 'tree']

/** A COCO file of `n` images (as a Strata export writes them, with sha256) and 3 labels each. */
const cocoText = (n: number): string => {
  const images = []
  const annotations = []
  for (let i = 1; i <= n; i++) {
    images.push({ id: i, file_name: `img_${String(i).padStart(7, '0')}.jpg`, width: 640, height: 480, sha256: createHash('sha256').update(String(i)).digest('hex'), mime: 'image/jpeg' })
    for (let k = 0; k < 3; k++) {
      annotations.push({ id: annotations.length + 1, image_id: i, category_id: ((i + k) % CLASSES.length) + 1, bbox: [10 + k * 50, 20 + k * 30, 100.5, 80.25], area: 8064.125, iscrowd: 0 })
    }
  }
  return JSON.stringify({ images, annotations, categories: CLASSES.map((name, i) => ({ id: i + 1, name })) })
}

const timed = async <T>(fn: () => T | Promise<T>): Promise<[T, number]> => {
  const start = performance.now()
  const value = await fn()
  return [value, performance.now() - start]
}

/** One COCO import into an empty project: parse, validate, plan, apply (one IMPORT transaction). */
const cocoOnce = async (text: string): Promise<Record<string, number>> => {
  const [json, parse] = await timed(() => parseJsonText(text, 'bench.json'))
  if (!json.ok) throw new Error(json.error)
  const [coco, validate] = await timed(() => parseCoco(json.value))
  if (!coco.ok) throw new Error(coco.error)
  const doc = createProject({ name: 'Bench' })
  const [plan, planMs] = await timed(() => planCocoImport(readProject(doc), coco.value))
  const [, apply] = await timed(() => applyCocoImport(doc, plan, actor))
  const bytes = YJS.encodeStateAsUpdate(doc).byteLength
  doc.destroy()
  return { parse, validate, plan: planMs, apply, total: parse + validate + planMs + apply, bytes }
}

/** A project of `n` items (one class per name) for the predictions import. */
const itemsProject = (n: number): Y.Doc => {
  const doc = createProject({ name: 'Predictions' })
  doc.transact(() => {
    for (const name of CLASSES) addClass(doc, { name })
    for (let i = 0; i < n; i++) addItem(doc, { name: `img_${i}.jpg`, blob: createHash('sha256').update(String(i)).digest('hex'), mime: 'image/jpeg', width: 640, height: 480 }, actor)
  })
  return doc
}

/** One million predictions (Strata ids): parse, check and normalise, then serialise, hash and record the run. */
const predictionsOnce = async (doc: Y.Doc, text: string): Promise<Record<string, number>> => {
  const project = readProject(doc)
  const [json, parse] = await timed(() => parseJsonText(text, 'results.json'))
  if (!json.ok) throw new Error(json.error)
  const [prepared, normalise] = await timed(() => preparePredictions(project, json.value))
  if (!prepared.ok) throw new Error(prepared.error)
  const [run, store] = await timed(() => importRun(doc, { name: 'bench' }, prepared.value.predictions, actor, async () => undefined))
  if (!run.ok) throw new Error(run.error)
  return { parse, normalise, 'serialise + sha256 + run record': store, total: parse + normalise + store, 'blob MB': run.value.bytes / 1e6 }
}

const medians = (runs: Array<Record<string, number>>, prefix: string): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const key of Object.keys(runs[0] ?? {})) out[`${prefix} ${key}${key === 'bytes' || key.endsWith('MB') ? '' : ' (ms)'}`] = median(runs.map((r) => r[key] ?? 0))
  return out
}

/**
 * Import figures: a COCO file of `items` images x 3 labels (parse, validate, plan, apply),
 * and a results file of `predictions` rows (default 1,000,000) on those items. Medians of `runs`.
 */
export const benchImport = async (opts: { items: number; predictions?: number; runs?: number }): Promise<Record<string, number | string>> => {
  const runs = opts.runs ?? 3
  const text = cocoText(opts.items)
  const coco: Array<Record<string, number>> = []
  for (let i = 0; i < runs; i++) coco.push(await cocoOnce(text))
  const n = opts.predictions ?? 1_000_000
  const doc = itemsProject(opts.items)
  const p = readProject(doc)
  const rows = []
  for (let i = 0; i < n; i++) {
    const item = p.items[i % p.items.length]!
    rows.push({ image_id: item.id, category_id: p.classes[i % p.classes.length]!.id, bbox: [(i % 500) + 0.5, (i % 300) + 0.25, 100.125, 80.5], score: (i % 1000) / 1000 })
  }
  const results = JSON.stringify(rows)
  const predictions: Array<Record<string, number>> = []
  for (let i = 0; i < runs; i++) predictions.push(await predictionsOnce(doc, results))
  doc.destroy()
  return {
    'COCO file': `${opts.items.toLocaleString('en')} images, ${(opts.items * 3).toLocaleString('en')} labels, ${(text.length / 1e6).toFixed(1)} MB`,
    ...medians(coco, 'COCO'),
    'results file': `${n.toLocaleString('en')} predictions on ${opts.items.toLocaleString('en')} items, ${(results.length / 1e6).toFixed(1)} MB`,
    ...medians(predictions, 'predictions'),
  }
}

const isMain = process.argv[1]?.endsWith('bench/io.ts')
if (isMain) {
  const items = Number(process.argv[2] ?? 100_000)
  benchImport({ items, runs: Number(process.argv[3] ?? 3) }).then((r) => console.table(r), (e: unknown) => {
    console.error(e)
    process.exit(1)
  })
}
