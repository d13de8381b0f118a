import type * as Y from 'yjs'
import { type Actor, type BBox, type ClassId, type ItemId, addClass, addItem, addLabel, addRun, createProject, createVersion, setTag } from '../../src/domain/index.ts'

/** A file the sample project refers to by hash. */
export interface SampleBlob {
  bytes: Uint8Array
  mime: string
}

/** The "Shapes" demo project: the document and every blob it names, by sha256. */
export interface SampleProject {
  doc: Y.Doc
  blobs: Map<string, SampleBlob>
}

type Shape = 'circle' | 'square' | 'triangle'

interface Drawn {
  shape: Shape
  bbox: BBox
  color: string
}

const SIZE = 256
const SHAPES: readonly Shape[] = ['circle', 'square', 'triangle']
const FILLS = ['#e45756', '#4c78a8', '#54a24b', '#f58518', '#b279a2', '#eeca3b']
const BACKGROUNDS = ['#f4f1ea', '#e8eef4', '#eef4e8', '#f4e8ef', '#ececec']
const SAMPLE_ACTOR: Actor = { id: 'strata-sample', name: 'Strata sample' }

/** A small seeded generator (mulberry32): the sample looks the same every time. */
const random = (seed: number): (() => number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T

const svgOf = (shape: Drawn): string => {
  const [x, y, w, h] = shape.bbox
  if (shape.shape === 'circle') return `<ellipse cx="${x + w / 2}" cy="${y + h / 2}" rx="${w / 2}" ry="${h / 2}" fill="${shape.color}"/>`
  if (shape.shape === 'square') return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${shape.color}"/>`
  return `<polygon points="${x + w / 2},${y} ${x + w},${y + h} ${x},${y + h}" fill="${shape.color}"/>`
}

const drawImage = (rand: () => number): { svg: string; shapes: Drawn[] } => {
  const shapes: Drawn[] = []
  const count = 1 + Math.floor(rand() * 3)
  for (let i = 0; i < count; i++) {
    const size = 40 + Math.floor(rand() * 70)
    const x = Math.floor(rand() * (SIZE - size))
    const y = Math.floor(rand() * (SIZE - size))
    shapes.push({ shape: pick(rand, SHAPES), bbox: [x, y, size, size], color: pick(rand, FILLS) })
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}"><rect width="${SIZE}" height="${SIZE}" fill="${pick(rand, BACKGROUNDS)}"/>${shapes.map(svgOf).join('')}</svg>`
  return { svg, shapes }
}

const sha256Hex = async (bytes: Uint8Array<ArrayBuffer>): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

const encode = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>

/** A COCO results entry: what a detector run stores, one per predicted box. */
export interface CocoResult {
  image_id: string
  category_id: string
  bbox: BBox
  score: number
}

const jitter = (rand: () => number, bbox: BBox, amount: number): BBox => {
  const [x, y, w, h] = bbox
  const d = (): number => (rand() - 0.5) * 2 * amount
  const nx = Math.max(0, x + d())
  const ny = Math.max(0, y + d())
  return [nx, ny, Math.min(SIZE - nx, Math.max(4, w + d())), Math.min(SIZE - ny, Math.max(4, h + d()))]
}

const predict = (rand: () => number, truth: Array<{ itemId: ItemId; shapes: Drawn[] }>, classes: Record<Shape, ClassId>, skill: number): CocoResult[] => {
  const out: CocoResult[] = []
  for (const { itemId, shapes } of truth) {
    for (const s of shapes) {
      if (rand() > 0.6 + skill * 0.35) continue
      const wrong = rand() > 0.7 + skill * 0.25
      const shape = wrong ? pick(rand, SHAPES) : s.shape
      out.push({ image_id: itemId, category_id: classes[shape], bbox: jitter(rand, s.bbox, 14 * (1 - skill) + 2), score: Math.round((wrong ? 0.2 + rand() * 0.4 : 0.5 + rand() * 0.5) * 1000) / 1000 })
    }
    if (rand() > 0.8 + skill * 0.15) out.push({ image_id: itemId, category_id: classes[pick(rand, SHAPES)], bbox: jitter(rand, [60, 60, 60, 60], 50), score: Math.round(rand() * 400) / 1000 })
  }
  return out
}

/** Builds the "Shapes" demo: `count` generated images, labels, two prediction runs, two versions, a few outstanding edits. */
export const buildShapesProject = async (count = 300): Promise<SampleProject> => {
  const rand = random(20240611)
  const doc = createProject({ name: 'Shapes' })
  const blobs = new Map<string, SampleBlob>()
  const classes: Record<Shape, ClassId> = {
    circle: addClass(doc, { name: 'circle', color: '#e6194b' }),
    square: addClass(doc, { name: 'square', color: '#4363d8' }),
    triangle: addClass(doc, { name: 'triangle', color: '#3cb44b' }),
  }
  const truth: Array<{ itemId: ItemId; shapes: Drawn[] }> = []
  let last = 0
  for (let i = 0; i < count; i++) {
    const { svg, shapes } = drawImage(rand)
    const bytes = encode(svg)
    const sha = await sha256Hex(bytes)
    blobs.set(sha, { bytes, mime: 'image/svg+xml' })
    // Items are shown oldest first; one millisecond apart keeps them in file-name order.
    while (Date.now() <= last) await Promise.resolve()
    last = Date.now()
    const itemId = addItem(doc, { name: `shape-${String(i + 1).padStart(4, '0')}.svg`, blob: sha, mime: 'image/svg+xml', width: SIZE, height: SIZE }, SAMPLE_ACTOR)
    truth.push({ itemId, shapes })
  }
  const label = (from: number, to: number): void => {
    for (const { itemId, shapes } of truth.slice(from, to)) for (const s of shapes) addLabel(doc, itemId, { classId: classes[s.shape], bbox: s.bbox }, SAMPLE_ACTOR)
  }
  const run = async (name: string, model: string, skill: number): Promise<void> => {
    const results = predict(rand, truth, classes, skill)
    const bytes = encode(JSON.stringify(results))
    const sha = await sha256Hex(bytes)
    blobs.set(sha, { bytes, mime: 'application/json' })
    addRun(doc, { name, model, blob: sha, count: results.length }, SAMPLE_ACTOR)
  }
  const firstBatch = Math.floor(count * 0.6)
  label(0, firstBatch)
  await run('baseline', 'shapes-detector v1', 0.4)
  createVersion(doc, { name: 'First labels', description: `${firstBatch} images labelled by hand, baseline predictions` }, SAMPLE_ACTOR)
  label(firstBatch, count)
  truth.forEach(({ itemId, shapes }) => shapes.length === 3 && setTag(doc, itemId, 'crowded', true))
  await run('improved', 'shapes-detector v2', 0.85)
  createVersion(doc, { name: 'All labelled', description: 'Every image labelled, crowded images tagged, second model run' }, SAMPLE_ACTOR)
  truth.slice(0, 5).forEach(({ itemId }) => setTag(doc, itemId, 'review', true))
  return { doc, blobs }
}
