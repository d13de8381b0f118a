import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createVersion, deleteVersion, listVersions, readProject, setTag, type ItemId } from '../../src/domain/index.ts'
import { parseCoco } from '../../src/io/index.ts'
import { api, connectClient, startTestServer, synced, waitFor } from '../server/harness.ts'
import { cli, png } from './run.ts'



describe('strata CLI against a running server', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let env: Record<string, string>
  let projectId: string
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-'))
  const live = async () => readProject((await server.rooms.get(projectId)).doc)

  beforeAll(async () => {
    server = await startTestServer()
    fs.mkdirSync(path.join(dir, 'images/sub'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'images/a.png'), png(640, 480, 'a'))
    fs.writeFileSync(path.join(dir, 'images/sub/b.png'), png(100, 50, 'b'))
    fs.writeFileSync(path.join(dir, 'images/notes.txt'), 'not an image')
  })
  afterAll(() => server.close())

  it('creates a project with the admin token', async () => {
    const r = await cli(['project', 'create', 'Pipeline', '--server', server.url, '--token', 'admin-secret'])
    expect(r.code, r.err).toBe(0)
    const created = JSON.parse(r.out) as { id: string; token: string; name: string }
    expect(created.name).toBe('Pipeline')
    projectId = created.id
    env = { STRATA_SERVER: server.url, STRATA_TOKEN: created.token, STRATA_PROJECT: created.id }
  })

  it('imports a folder of images: blobs uploaded, items with their sizes, on the server when it exits', async () => {
    const r = await cli(['import', 'images', path.join(dir, 'images')], env)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/2 images added, 0 already in the project, 2 files uploaded, 1 files that are not images \(or have paths over 200 characters\) left out/)
    const items = (await live()).items.map((i) => [i.name, i.width, i.height, i.mime]).sort()
    expect(items).toEqual([['a.png', 640, 480, 'image/png'], ['sub/b.png', 100, 50, 'image/png']])
    for (const item of (await live()).items) expect((await api(server.url, 'HEAD', `/api/projects/${projectId}/blobs/${item.blob}`, env.STRATA_TOKEN!)).status).toBe(200)
    const again = await cli(['import', 'images', path.join(dir, 'images')], env)
    expect(again.out).toMatch(/0 images added, 2 already in the project, 0 files uploaded/)
  })

  it('imports COCO labels onto the images by file_name and reports what it skipped', async () => {
    const coco = {
      images: [{ id: 1, file_name: 'a.png', width: 640, height: 480 }, { id: 2, file_name: 'sub/b.png', width: 100, height: 50 }, { id: 3, file_name: 'elsewhere.png', width: 10, height: 10 }],
      categories: [{ id: 1, name: 'car' }, { id: 2, name: 'person' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 100, 50] },
        { id: 2, image_id: 1, category_id: 2, bbox: [300, 200, 20, 60] },
        { id: 3, image_id: 2, category_id: 1, bbox: [0, 0, 100, 50] },
        { id: 4, image_id: 3, category_id: 1, bbox: [0, 0, 5, 5] },
      ],
    }
    fs.writeFileSync(path.join(dir, 'gt.json'), JSON.stringify(coco))
    const r = await cli(['import', 'coco', path.join(dir, 'gt.json')], env)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/0 images added, 2 matched by file name, 1 skipped/)
    expect(r.out).toMatch(/skipped "elsewhere.png" \(1 labels\): no item named "elsewhere.png"/)
    expect((await live()).items.reduce((n, i) => n + i.labels.length, 0)).toBe(3)
  })

  it('refuses a bad file with a message, exit code 1, and changes nothing', async () => {
    const before = Y.encodeStateVector((await server.rooms.get(projectId)).doc)
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ images: [{ id: 1, file_name: 'a.png', width: 640, height: 480 }], categories: [{ id: 1, name: 'car' }], annotations: [{ id: 9, image_id: 1, category_id: 1, bbox: [600, 0, 50, 10] }] }))
    const r = await cli(['import', 'coco', path.join(dir, 'bad.json')], env)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/annotation 9: the box \[600, 0, 50, 10\] lies outside image 1 "a.png" \(640 x 480\)/)
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"images": [')
    expect((await cli(['import', 'coco', path.join(dir, 'broken.json')], env)).err).toMatch(/broken\.json is not JSON/)
    // A sparse file: 1 GiB on paper, nothing on disk; refused before it is read.
    const huge = path.join(dir, 'huge.json')
    fs.writeFileSync(huge, '')
    fs.truncateSync(huge, 1024 ** 3)
    const big = await cli(['import', 'predictions', huge, '--name', 'x'], env)
    expect(big.code).toBe(1)
    expect(big.err).toMatch(/huge\.json is 1024 MiB; imports are limited to 256 MiB/)
    expect(Y.encodeStateVector((await server.rooms.get(projectId)).doc)).toEqual(before)
  })

  it('checkpoints, lists versions, and refuses a version with no changes', async () => {
    const viewer = await api(server.url, 'POST', `/api/projects/${projectId}/tokens`, env.STRATA_TOKEN!, { role: 'viewer' })
    const readOnly = await cli(['version', 'create', 'by a viewer'], { ...env, STRATA_TOKEN: String(viewer.json?.token) })
    expect(readOnly.code).toBe(1)
    expect(readOnly.err).toMatch(/strata: the server refused the changes: read-only/)
    expect(listVersions((await server.rooms.get(projectId)).doc)).toEqual([])
    const r = await cli(['version', 'create', 'v1', '--description', 'first labels'], env)
    expect(r.code, r.err).toBe(0)
    expect(listVersions((await server.rooms.get(projectId)).doc).map((v) => v.name)).toEqual(['v1'])
    const list = await cli(['version', 'list', '--json'], env)
    expect(JSON.parse(list.out)).toMatchObject([{ name: 'v1', description: 'first labels', kind: 'checkpoint', by: { name: 'pipeline' }, stats: { items: 2, labels: 3 } }])
    const none = await cli(['version', 'create', 'v2'], env)
    expect(none.code).toBe(1)
    expect(none.err).toMatch(/No changes since version "v1"/)
  })

  it('imports predictions as a run (numeric ids through the COCO file) and exports version and run', async () => {
    fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify([
      { image_id: 1, category_id: 1, bbox: [12, 11, 98, 50], score: 0.9 },
      { image_id: 2, category_id: 1, bbox: [1, 1, 90, 40], score: 0.4 },
      { image_id: 3, category_id: 2, bbox: [1, 1, 2, 2], score: 0.3 },
    ]))
    const r = await cli(['import', 'predictions', path.join(dir, 'results.json'), '--name', 'epoch 3', '--coco', path.join(dir, 'gt.json')], env)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/run "epoch 3" .*: 2 predictions on 2 images; 1 skipped because their images are not in the project \(image_id 3\)/)
    const run = (await live()).runs[0]!
    expect(run).toMatchObject({ name: 'epoch 3', count: 2 })
    expect((await api(server.url, 'HEAD', `/api/projects/${projectId}/blobs/${run.blob}`, env.STRATA_TOKEN!)).status).toBe(200)

    const out = path.join(dir, 'v1.json')
    expect((await cli(['export', '--version', 'v1', '--out', out], env)).code).toBe(0)
    const v1 = parseCoco(JSON.parse(fs.readFileSync(out, 'utf8')))
    if (!v1.ok) throw new Error(v1.error)
    expect(v1.value.annotations).toHaveLength(3)
    const latest = await cli(['export', '--version', 'latest', '--run', 'epoch 3', '--out', '-'], env)
    expect(latest.code, latest.err).toBe(0)
    const results = JSON.parse(latest.out) as Array<{ image_id: number; score: number }>
    expect(results.map((x) => x.score).sort()).toEqual([0.4, 0.9])
    expect((await cli(['export', '--version', 'nope', '--out', out], env)).err).toMatch(/no version "nope"/)
  })

  it('discards outstanding changes back to the last version', async () => {
    const r = await cli(['version', 'discard'], env)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/discarded \d+ changes/)
    expect((await live()).runs).toEqual([])
  })

  it('refuses a version name two versions share with the list the server gives: id, author, time', async () => {
    // Bob names a version "v1" too, from his own client.
    const bob = connectClient(server.url, projectId, env.STRATA_TOKEN!)
    try {
      await synced(bob)
      const item = (await live()).items[0]!.id as ItemId
      setTag(bob.doc, item, 'by-bob', true)
      const bobs = createVersion(bob.doc, { name: 'v1' }, { id: 'u-bob', name: 'Bob' })
      const room = await server.rooms.get(projectId)
      await waitFor(() => listVersions(room.doc).some((v) => v.id === bobs.id), 10_000, 'Bob\'s version on the server')
      const r = await cli(['export', '--version', 'v1', '--out', path.join(dir, 'v1-again.json')], env)
      expect(r.code).toBe(1)
      const answer = await api(server.url, 'GET', `/api/projects/${projectId}/export?version=v1`, env.STRATA_TOKEN!)
      expect(answer.status).toBe(409)
      expect(r.err).toBe(`strata: ${String(answer.json?.error)}\n`)
      const lines = r.err.trim().split('\n')
      expect(lines[0]).toBe('strata: 2 versions are named "v1"; ask by id:')
      expect(lines.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 3))).toEqual(listVersions(room.doc).filter((v) => v.name === 'v1').map((v) => [v.id, 'by', `${v.by.name},`]))
      expect(lines.some((l) => l.includes('by pipeline,')) && lines.some((l) => l.includes('by Bob,'))).toBe(true)

      // A deleted version is named, with who deleted it.
      deleteVersion(bob.doc, bobs.id, { id: 'u-bob', name: 'Bob' })
      await waitFor(() => !listVersions(room.doc).some((v) => v.id === bobs.id), 10_000, 'the deletion on the server')
      const gone = await cli(['export', '--version', bobs.id, '--out', path.join(dir, 'gone.json')], env)
      expect(gone.code).toBe(1)
      expect(gone.err).toBe('strata: Version "v1" was deleted by Bob\n')
    } finally {
      bob.provider.destroy()
      bob.doc.destroy()
    }
  })

  it('exits non-zero with the server\'s reason on a refused token', async () => {
    const r = await cli(['version', 'list'], { ...env, STRATA_TOKEN: 'wrong' })
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/strata: the server closed the connection: 4401/)
    const usage = await cli(['version', 'frobnicate'], env)
    expect(usage.code).toBe(2)
    const down = await cli(['version', 'list', '--server', 'http://127.0.0.1:9', '--timeout', '2'], env)
    expect(down.code).toBe(1)
    expect(down.err).toMatch(/could not sync with http:\/\/127.0.0.1:9 within 2 s \(the server cannot be reached\)/)
  })
})
