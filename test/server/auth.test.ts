import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { READ_ONLY_REASON } from '../../sync-server/rooms.ts'
import {
  api, connectClient, createProject, issueToken, rawSocket, startTestServer, synced, syncFrame, updateSetting, waitFor,
} from './harness.ts'

let server: Awaited<ReturnType<typeof startTestServer>>
let p1: { id: string, token: string }
let p2: { id: string, token: string }
beforeAll(async () => {
  server = await startTestServer()
  p1 = await createProject(server.url, 'One')
  p2 = await createProject(server.url, 'Two')
})
afterAll(() => server.close())

const roomState = async (id: string): Promise<Uint8Array> => Y.encodeStateAsUpdate((await server.rooms.get(id)).doc)

describe('websocket auth', () => {
  const cases = (): Array<[string, string, number]> => [
    ['missing', `/sync/${p1.id}`, 4401],
    ['wrong', `/sync/${p1.id}?token=st_not-a-real-token`, 4401],
    ["another project's", `/sync/${p1.id}?token=${p2.token}`, 4403],
  ]
  test('a missing, wrong or other project token is closed with a reason before any document byte', async () => {
    for (const [, route, code] of cases()) {
      const raw = await rawSocket(server.url, route)
      const closed = await raw.closed
      expect(closed.code).toBe(code)
      expect(closed.reason).toMatch(code === 4401 ? /unauthorised/ : /forbidden/)
      expect(closed.before).toBe(0)
    }
  })

  test('a revoked token is refused, live connections with it are closed, and the client stops retrying', async () => {
    const editor = await issueToken(server.url, p1.id, p1.token, 'editor')
    const live = connectClient(server.url, p1.id, editor.token)
    await synced(live)
    const revoked = await api(server.url, 'DELETE', `/api/projects/${p1.id}/tokens/${editor.id}`, p1.token)
    expect(revoked.status).toBe(204)
    await waitFor(() => live.closes.length > 0, 5000, 'revoked connection closed')
    expect(live.closes[0]).toEqual({ code: 4401, reason: 'unauthorised: token revoked' })

    const later = connectClient(server.url, p1.id, editor.token)
    await waitFor(() => later.closes.length > 0, 5000, 'refusal')
    const refusals = server.metrics.closes.get(4401)
    // Backoff starts at 200 ms: a client that kept retrying would be refused again within a second.
    await new Promise((r) => setTimeout(r, 1200))
    expect(later.closes).toEqual([{ code: 4401, reason: 'unauthorised: missing, unknown or revoked token' }])
    expect(live.closes.length).toBe(1)
    expect(server.metrics.closes.get(4401)).toBe(refusals)
    expect(later.doc.getMap('scratch').size).toBe(0)
    live.provider.destroy()
    later.provider.destroy()
  })
})

describe('REST auth', () => {
  test('every API route checks the token and the project', async () => {
    const viewer = await issueToken(server.url, p1.id, p1.token, 'viewer')
    const editor = await issueToken(server.url, p1.id, p1.token, 'editor')
    const hash = 'a'.repeat(64)
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/projects'], ['POST', '/api/projects', { name: 'x' }], ['GET', `/api/projects/${p1.id}`],
      ['GET', `/api/projects/${p1.id}/tokens`], ['POST', `/api/projects/${p1.id}/tokens`, { role: 'owner' }],
      ['GET', `/api/projects/${p1.id}/blobs/${hash}`], ['PUT', `/api/projects/${p1.id}/blobs/${hash}`, {}],
      ['POST', `/api/projects/${p1.id}/blobs/missing`, { hashes: [hash] }],
    ]
    for (const [method, route, body] of routes) {
      expect((await api(server.url, method, route, null, body)).status, `${method} ${route}`).toBe(401)
      expect((await api(server.url, method, route, 'st_wrong', body)).status, `${method} ${route}`).toBe(401)
    }
    for (const [method, route, body] of routes.slice(2)) {
      expect((await api(server.url, method, route, p2.token, body)).status, `${method} ${route}`).toBe(403)
    }
    expect((await api(server.url, 'POST', '/api/projects', p1.token, { name: 'x' })).status).toBe(403)
    expect((await api(server.url, 'POST', `/api/projects/${p1.id}/tokens`, editor.token, { role: 'owner' })).status).toBe(403)
    expect((await api(server.url, 'PUT', `/api/projects/${p1.id}/blobs/${hash}`, viewer.token, {})).status).toBe(403)
    const listed = await api(server.url, 'GET', '/api/projects', viewer.token)
    expect(listed.json?.projects).toEqual([expect.objectContaining({ id: p1.id, name: 'One', role: 'viewer' })])
    const all = await api(server.url, 'GET', '/api/projects', 'admin-secret')
    expect((all.json?.projects as unknown[]).length).toBeGreaterThanOrEqual(2)
    const tokens = await api(server.url, 'GET', `/api/projects/${p1.id}/tokens`, p1.token)
    expect(JSON.stringify(tokens.json)).not.toContain(viewer.token)
  })
})

describe('viewers', () => {
  test('a viewer that edits, sends sync step 2 with new content or huge presence never changes the document', async () => {
    const viewer = await issueToken(server.url, p1.id, p1.token, 'viewer')
    const owner = connectClient(server.url, p1.id, p1.token)
    await synced(owner)
    owner.doc.getMap('scratch').set('real', 1)
    await waitFor(() => server.metrics.updatesReceived > 0)
    const before = await roomState(p1.id)

    const v = connectClient(server.url, p1.id, viewer.token)
    await synced(v)
    v.doc.getMap('scratch').set('viewer-edit', 'nope')

    const raw = await rawSocket(server.url, `/sync/${p1.id}?token=${viewer.token}`)
    raw.ws.send(syncFrame(1, updateSetting('step2-from-viewer', 1)))
    raw.ws.send(syncFrame(2, updateSetting('update-from-viewer', 1)))
    await waitFor(() => raw.received.some((m) => m[0] === 2), 5000, 'read-only notice')
    const notice = decoding.createDecoder(raw.received.find((m) => m[0] === 2)!)
    decoding.readVarUint(notice)
    expect(decoding.readVarUint(notice)).toBe(0)
    expect(decoding.readVarString(notice)).toBe(READ_ONLY_REASON)

    const huge = encoding.createEncoder()
    encoding.writeVarUint(huge, 1)
    const inner = encoding.createEncoder()
    encoding.writeVarUint(inner, 1)
    encoding.writeVarUint(inner, 12345)
    encoding.writeVarUint(inner, 1)
    encoding.writeVarString(inner, JSON.stringify({ name: 'x'.repeat(100_000) }))
    encoding.writeVarUint8Array(huge, encoding.toUint8Array(inner))
    raw.ws.send(encoding.toUint8Array(huge))
    expect(await raw.closed).toMatchObject({ code: 4413, reason: expect.stringMatching(/awareness/) })

    await new Promise((r) => setTimeout(r, 200))
    expect(await roomState(p1.id)).toEqual(before)
    expect(owner.doc.getMap('scratch').toJSON()).toEqual({ real: 1 })
    expect(owner.provider.awareness.getStates().has(12345)).toBe(false)
    expect(server.metrics.updatesDropped).toBeGreaterThanOrEqual(3)
    owner.provider.destroy()
    v.provider.destroy()
  })
})
