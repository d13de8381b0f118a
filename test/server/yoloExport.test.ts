import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addClass, addItem, addLabel, createVersion, readProject, setTag } from '../../src/domain/index.ts'
import { parseYolo, readZip } from '../../src/io/index.ts'
import { api, connectClient, createProject, startTestServer, synced, waitFor, type Client } from './harness.ts'

const ann = { id: 'u-ann', name: 'Ann' }

describe('GET /api/projects/:id/export?format=yolo', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let project: { id: string; token: string }
  let client: Client
  const image = new Uint8Array(Buffer.from('not really a jpeg, but bytes the server keeps'))
  const hash = createHash('sha256').update(image).digest('hex')

  beforeAll(async () => {
    server = await startTestServer()
    project = await createProject(server.url, 'Roads')
    const put = await fetch(`${server.url}/api/projects/${project.id}/blobs/${hash}`, { method: 'PUT', body: image, headers: { authorization: `Bearer ${project.token}` } })
    expect(put.status).toBe(201)
    client = connectClient(server.url, project.id, project.token)
    await synced(client)
    const doc = client.doc
    const car = addClass(doc, { name: 'car' })
    const a = addItem(doc, { name: 'day/a.jpg', blob: hash, mime: 'image/jpeg', width: 640, height: 480 }, ann)
    const b = addItem(doc, { name: 'b.jpg', blob: 'e'.repeat(64), mime: 'image/jpeg', width: 64, height: 48 }, ann)
    addLabel(doc, a, { classId: car, bbox: [10.25, 20.5, 100.125, 50.0625] }, ann)
    addLabel(doc, b, { classId: car, bbox: [5, 6, 7, 8] }, ann)
    setTag(doc, b, 'val', true)
    createVersion(doc, { name: 'v1' }, ann)
    addLabel(doc, a, { classId: car, bbox: [0, 0, 1, 1] }, ann)
    const room = await server.rooms.get(project.id)
    await waitFor(() => readProject(room.doc).items.reduce((n, i) => n + i.labels.length, 0) === 3, 10_000, 'server to receive the edits')
  })

  afterAll(async () => {
    client.provider.destroy()
    await server.close()
  })

  const zipOf = async (query: string) => {
    const res = await fetch(`${server.url}/api/projects/${project.id}/export${query}`, { headers: { authorization: `Bearer ${project.token}` } })
    expect(res.status).toBe(200)
    const zip = readZip(new Uint8Array(await res.arrayBuffer()))
    if (!zip.ok) throw new Error(zip.error)
    const parsed = parseYolo(zip.value)
    if (!parsed.ok) throw new Error(parsed.error)
    return { res, files: zip.value, dataset: parsed.value }
  }

  it('streams a version as one zip, split by tag, with the images the server holds and the missing ones named', async () => {
    const { res, files, dataset } = await zipOf('?version=v1&format=yolo&split')
    expect(res.headers.get('content-type')).toBe('application/zip')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="Roads-v1.yolo.zip"')
    expect(dataset.names).toEqual(['car'])
    expect(dataset.splits.train!.map((e) => e.image)).toEqual(['images/train/day__a.jpg'])
    const [box] = dataset.splits.train![0]!.boxes
    const back = [(box!.cx - box!.w / 2) * 640, (box!.cy - box!.h / 2) * 480, box!.w * 640, box!.h * 480]
    ;[10.25, 20.5, 100.125, 50.0625].forEach((v, k) => expect(Math.abs(back[k]! - v)).toBeLessThanOrEqual(1e-6 * (k % 2 ? 480 : 640)))
    expect(box!.classIndex).toBe(0)
    expect(dataset.splits.val!.map((e) => e.image)).toEqual(['images/val/b.jpg'])
    expect(files.get('images/train/day__a.jpg')).toEqual(image)
    expect(files.has('images/val/b.jpg')).toBe(false)
    expect(JSON.parse(new TextDecoder().decode(files.get('strata.json'))).missingImages).toEqual(['images/val/b.jpg'])
  })

  it('answers labels only with images=0, latest by default, and refuses bad options before any byte', async () => {
    const { files, dataset } = await zipOf('?format=yolo&images=0')
    expect([...files.keys()].some((f) => f.startsWith('images/'))).toBe(false)
    expect(dataset.splits.train!.flatMap((e) => e.boxes)).toHaveLength(3)
    expect(await api(server.url, 'GET', `/api/projects/${project.id}/export?format=yolo&split=a,b`, project.token)).toMatchObject({ status: 400, json: { error: 'split takes three tags: train,val,test' } })
    expect((await api(server.url, 'GET', `/api/projects/${project.id}/export?format=yolo`, 'wrong')).status).toBe(401)
    expect((await api(server.url, 'GET', `/api/projects/${project.id}/export?format=yolo&version=nope`, project.token)).status).toBe(404)
  })
})
