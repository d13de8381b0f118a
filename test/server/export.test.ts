import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addClass, addItem, addLabel, createVersion, deleteVersion, listVersions, newProjectDoc, readProject, removeItem, setTag, type ItemId } from '../../src/domain/index.ts'
import { parseCoco } from '../../src/io/index.ts'
import { api, connectClient, createProject, issueToken, startTestServer, synced, waitFor, type Client } from './harness.ts'

const ann = { id: 'u-ann', name: 'Ann' }
const bob = { id: 'u-bob', name: 'Bob' }
const sha = (n: number): string => n.toString(16).padStart(64, '0')

describe('GET /api/projects/:id/export', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let project: { id: string; token: string }
  let client: Client
  let v1: string
  let itemA: ItemId

  beforeAll(async () => {
    server = await startTestServer()
    project = await createProject(server.url, 'Roads')
    client = connectClient(server.url, project.id, project.token)
    await synced(client)
    const doc = client.doc
    const car = addClass(doc, { name: 'car' })
    const a = addItem(doc, { name: 'a.jpg', blob: sha(1), mime: 'image/jpeg', width: 64, height: 48 }, ann)
    const b = addItem(doc, { name: 'b.jpg', blob: sha(2), mime: 'image/jpeg', width: 64, height: 48 }, ann)
    itemA = a
    addLabel(doc, a, { classId: car, bbox: [1, 2, 3, 4] }, ann)
    addLabel(doc, b, { classId: car, bbox: [5, 6, 7, 8] }, ann)
    v1 = createVersion(doc, { name: 'v1' }, ann).id
    removeItem(doc, b)
    const room = await server.rooms.get(project.id)
    await waitFor(() => readProject(room.doc).items.length === 1, 10_000, 'server to receive the edits')
  })

  afterAll(async () => {
    client.provider.destroy()
    await server.close()
  })

  const get = (query: string, token: string | null = project.token) => api(server.url, 'GET', `/api/projects/${project.id}/export${query}`, token)

  it('answers latest and any version (by id or name) as COCO, materialised by the server', async () => {
    const latest = await get('?version=latest&format=coco')
    expect(latest.status).toBe(200)
    expect(latest.headers.get('content-disposition')).toBe('attachment; filename="Roads-latest.coco.json"')
    const parsed = parseCoco(latest.json)
    if (!parsed.ok) throw new Error(parsed.error)
    expect(parsed.value.images.map((i) => i.file_name)).toEqual(['a.jpg'])
    for (const version of [v1, 'v1']) {
      const old = await get(`?version=${version}`)
      expect(old.status).toBe(200)
      const coco = parseCoco(old.json)
      if (!coco.ok) throw new Error(coco.error)
      // Items added within one millisecond are ordered by their random ids.
      expect(coco.value.images.map((i) => i.file_name).sort()).toEqual(['a.jpg', 'b.jpg'])
      expect(coco.value.annotations.map((x) => x.bbox).sort()).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]])
      expect(coco.value.info?.version).toBe(v1)
    }
  })

  it('checks the token and says why it refuses', async () => {
    expect((await get('?version=latest', null)).status).toBe(401)
    const viewer = await issueToken(server.url, project.id, project.token, 'viewer')
    expect((await get('?version=latest', viewer.token)).status).toBe(200)
    const other = await createProject(server.url, 'Other')
    expect((await get('?version=latest', other.token)).status).toBe(403)
    expect(await get('?version=nope')).toMatchObject({ status: 404, json: { error: 'no version "nope" in this project' } })
    expect(await get('?format=xml')).toMatchObject({ status: 400, json: { error: 'format "xml" is not supported; use format=coco or format=yolo' } })
  })

  const onServer = async (versionId: string, present = true): Promise<void> => {
    const room = await server.rooms.get(project.id)
    await waitFor(() => listVersions(room.doc).some((v) => v.id === versionId) === present, 10_000, 'the server to see the version change')
  }

  it('answers 409 listing id, author and time of every version a shared name matches', async () => {
    // Ann and Bob both name a version "twin", Bob while offline.
    const bobs = newProjectDoc()
    Y.applyUpdate(bobs, Y.encodeStateAsUpdate(client.doc))
    setTag(client.doc, itemA, 'by-ann', true)
    const annsTwin = createVersion(client.doc, { name: 'twin' }, ann)
    setTag(bobs, itemA, 'by-bob', true)
    const bobsTwin = createVersion(bobs, { name: 'twin' }, bob)
    Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(bobs, Y.encodeStateVector(client.doc)))
    await onServer(bobsTwin.id)
    const res = await get('?version=twin')
    expect(res.status).toBe(409)
    const lines = String(res.json?.error).split('\n')
    expect(lines[0]).toBe('2 versions are named "twin"; ask by id:')
    const [first, second] = [annsTwin, bobsTwin].sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : 1))
    expect(lines.slice(1)).toEqual([first, second].map((v) => `  ${v?.id}  by ${v?.by.name}, ${new Date(v?.at ?? 0).toISOString()}`))
    for (const v of [annsTwin, bobsTwin]) expect((await get(`?version=${v.id}`)).status).toBe(200)
  })

  it('answers 404 naming a deleted version and who deleted it, asked by id or by name', async () => {
    setTag(client.doc, itemA, 'short', true)
    const v = createVersion(client.doc, { name: 'short-lived' }, ann)
    deleteVersion(client.doc, v.id, bob)
    await onServer(v.id, false)
    for (const wanted of [v.id, 'short-lived']) {
      expect(await get(`?version=${wanted}`)).toMatchObject({ status: 404, json: { error: 'Version "short-lived" was deleted by Bob' } })
    }
  })

  it('answers 409 for a version whose changes have not reached the server', async () => {
    // Someone checkpoints work of a third replica that never reached the server; only the version record arrives.
    const a = newProjectDoc()
    Y.applyUpdate(a, Y.encodeStateAsUpdate(client.doc))
    addItem(a, { name: 'offline.jpg', blob: sha(3), mime: 'image/jpeg', width: 8, height: 8 }, ann)
    const b = newProjectDoc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    const early = createVersion(b, { name: 'early' }, ann)
    Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
    const room = await server.rooms.get(project.id)
    await waitFor(() => listVersions(room.doc).some((v) => v.id === early.id), 10_000, 'the version record')
    const res = await get(`?version=${early.id}`)
    expect(res.status).toBe(409)
    expect(String(res.json?.error)).toMatch(/have not reached this device yet/)
  })
})
