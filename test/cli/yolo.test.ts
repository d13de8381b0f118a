import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as D from '../../src/domain/index.ts'
import { type YoloDataset, parseYolo, readZip } from '../../src/io/index.ts'
import { connectClient, startTestServer, synced, waitFor } from '../server/harness.ts'
import { cli, png } from './run.ts'

const BOB: D.Actor = { id: 'u-bob', name: 'Bob' }


/** Every file under a folder, by its path relative to it. */
const readFolder = (dir: string): Map<string, Uint8Array> =>
  new Map((fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter((e) => e.isFile()).map((e) => {
    const full = path.join(e.parentPath, e.name)
    return [path.relative(dir, full).split(path.sep).join('/'), new Uint8Array(fs.readFileSync(full))]
  }))

const parse = (files: Map<string, Uint8Array>): YoloDataset => {
  const parsed = parseYolo(files)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}

/** Each parsed box back in pixels, by item name (through strata.json) and class name, against the project's labels. */
const expectBoxesOf = (files: Map<string, Uint8Array>, project: D.ProjectJson, split: string): void => {
  const dataset = parse(files)
  const notes = JSON.parse(new TextDecoder().decode(files.get('strata.json'))) as { items: Array<{ image: string; name: string }> }
  const nameOf = new Map(notes.items.map((i) => [i.image, i.name]))
  const className = new Map(project.classes.map((c) => [c.id as string, c.name]))
  let compared = 0
  for (const entry of dataset.splits[split]!) {
    const item = project.items.find((i) => i.name === nameOf.get(entry.image))!
    const plain = item.labels.filter((l) => !l.coco?.crowd)
    expect(entry.boxes.map((b) => dataset.names[b.classIndex])).toEqual(plain.map((l) => className.get(l.classId)))
    entry.boxes.forEach((b, i) => {
      const [x, y, w, h] = plain[i]!.bbox
      const back = [(b.cx - b.w / 2) * item.width, (b.cy - b.h / 2) * item.height, b.w * item.width, b.h * item.height]
      ;[x, y, w, h].forEach((v, k) => expect(Math.abs(back[k]! - v)).toBeLessThanOrEqual(1e-6 * (k % 2 ? item.height : item.width)))
      compared++
    })
  }
  expect(compared).toBeGreaterThan(0)
}

/** Each step spawns the CLI (a fresh Node with tsx): seconds apiece on a loaded 2-core machine. */
const SPAWNS_MS = 60_000

describe('strata export --format yolo against a running server', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let env: Record<string, string>
  let projectId: string
  let v1: D.ProjectJson
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-yolo-'))
  const images = { 'a.png': png(640, 480, 'a'), 'sub/b.png': png(101, 53, 'b'), 'sub/../c.png': png(33, 77, 'c') }

  beforeAll(async () => {
    server = await startTestServer()
    fs.mkdirSync(path.join(dir, 'images/sub'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'images/a.png'), images['a.png'])
    fs.writeFileSync(path.join(dir, 'images/sub/b.png'), images['sub/b.png'])
    const created = await cli(['project', 'create', 'Yolo', '--server', server.url, '--token', 'admin-secret'], {})
    const { id, token } = JSON.parse(created.out) as { id: string; token: string }
    projectId = id
    env = { STRATA_SERVER: server.url, STRATA_TOKEN: token, STRATA_PROJECT: id }
    expect((await cli(['import', 'images', path.join(dir, 'images')], env)).code).toBe(0)
    fs.writeFileSync(path.join(dir, 'gt.json'), JSON.stringify({
      images: [{ id: 1, file_name: 'a.png', width: 640, height: 480 }, { id: 2, file_name: 'sub/b.png', width: 101, height: 53 }],
      categories: [{ id: 7, name: 'person' }, { id: 3, name: 'car' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 3, bbox: [10.123456, 10.654321, 100.5, 50.25] },
        { id: 2, image_id: 1, category_id: 7, bbox: [300, 200, 20, 60], iscrowd: 1 },
        { id: 3, image_id: 2, category_id: 7, bbox: [1 / 3, 2 / 3, 99.1, 51.7] },
      ],
    }))
    expect((await cli(['import', 'coco', path.join(dir, 'gt.json')], env)).code).toBe(0)
    // Bob tags the split and adds an item whose file never reached the server.
    const bob = connectClient(server.url, projectId, token)
    try {
      await synced(bob)
      const p = D.readProject(bob.doc)
      D.setTag(bob.doc, p.items.find((i) => i.name === 'a.png')!.id, 'train', true)
      D.setTag(bob.doc, p.items.find((i) => i.name === 'sub/b.png')!.id, 'val', true)
      D.addItem(bob.doc, { name: 'sub/../c.png', blob: 'f'.repeat(64), mime: 'image/png', width: 33, height: 77 }, BOB)
      const room = await server.rooms.get(projectId)
      await waitFor(() => D.readProject(room.doc).items.length === 3, 10_000, 'Bob\'s edits on the server')
    } finally {
      bob.provider.destroy()
      bob.doc.destroy()
    }
    expect((await cli(['version', 'create', 'v1'], env)).code).toBe(0)
    v1 = D.readProject((await server.rooms.get(projectId)).doc)
    expect((await cli(['version', 'create', 'v1'], env)).code).toBe(1)
  }, SPAWNS_MS)
  afterAll(() => server.close())

  it('writes a version as a folder split by tag, with the images the server has, that parses back to its boxes', async () => {
    // Latest moves on after v1; the export must still be v1's.
    const bob = connectClient(server.url, projectId, env.STRATA_TOKEN!)
    try {
      await synced(bob)
      const a = D.readProject(bob.doc).items.find((i) => i.name === 'a.png')!
      D.addLabel(bob.doc, a.id, { classId: a.labels[0]!.classId, bbox: [0, 0, 5, 5] }, BOB)
      const room = await server.rooms.get(projectId)
      await waitFor(() => D.readProject(room.doc).items.some((i) => i.labels.length === 3), 10_000, 'the new label on the server')
    } finally {
      bob.provider.destroy()
      bob.doc.destroy()
    }
    const out = path.join(dir, 'v1-yolo')
    const r = await cli(['export', '--version', 'v1', '--format', 'yolo', '--split', '--out', out], env)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/3 images \(train 2, val 1, test 0\), 2 labels, 2 classes/)
    expect(r.out).toMatch(/1 crowd labels left out/)
    expect(r.out).toMatch(/1 items with no split tag put in train/)
    expect(r.out).toMatch(/1 image files are not available/)
    const files = readFolder(out)
    expect(parse(files).names).toEqual(['car', 'person'])
    expectBoxesOf(files, v1, 'train')
    expectBoxesOf(files, v1, 'val')
    expect(Buffer.from(files.get('images/train/a.png')!)).toEqual(images['a.png'])
    expect(Buffer.from(files.get('images/val/sub__b.png')!)).toEqual(images['sub/b.png'])
    expect([...files.keys()].filter((f) => f.startsWith('images/')).sort()).toEqual(['images/train/a.png', 'images/val/sub__b.png'])
    expect(new TextDecoder().decode(files.get('train.txt'))).toBe('./images/train/a.png\n./images/train/sub__c.png\n')
    expect(JSON.parse(new TextDecoder().decode(files.get('strata.json'))).missingImages).toEqual(['images/train/sub__c.png'])

    const again = await cli(['export', '--version', 'v1', '--format', 'yolo', '--out', out], env)
    expect(again.code).toBe(1)
    expect(again.err).toMatch(/v1-yolo is not empty; give a new folder/)
  }, SPAWNS_MS)

  it('writes a .zip when --out ends in .zip, labels only on request, and refuses stdout and bad flags', async () => {
    const zipOut = path.join(dir, 'latest.zip')
    const r = await cli(['export', '--version', 'latest', '--format', 'yolo', '--split-tags', 'val,train,test', '--out', zipOut], env)
    expect(r.code, r.err).toBe(0)
    const zip = readZip(new Uint8Array(fs.readFileSync(zipOut)))
    if (!zip.ok) throw new Error(zip.error)
    const latest = D.readProject((await server.rooms.get(projectId)).doc)
    // Tags swapped: a.png (tagged train) is now in val.
    expectBoxesOf(zip.value, latest, 'val')
    expect(Buffer.from(zip.value.get('images/val/a.png')!)).toEqual(images['a.png'])

    const bare = path.join(dir, 'labels-only.zip')
    expect((await cli(['export', '--version', 'v1', '--format', 'yolo', '--labels-only', '--out', bare], env)).code).toBe(0)
    const labels = readZip(new Uint8Array(fs.readFileSync(bare)))
    expect(labels.ok && [...labels.value.keys()].some((f) => f.startsWith('images/'))).toBe(false)
    expect(labels.ok && parse(labels.value).splits.train!.length).toBe(3)

    expect((await cli(['export', '--version', 'v1', '--format', 'yolo', '--out', '-'], env)).code).toBe(2)
    expect((await cli(['export', '--version', 'v1', '--format', 'voc', '--out', bare], env)).err).toMatch(/--format voc is not known/)
    expect((await cli(['export', '--version', 'v1', '--format', 'yolo', '--split-tags', 'a,b', '--out', bare], env)).code).toBe(2)
  }, SPAWNS_MS)
})
