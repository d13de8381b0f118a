import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { PART_BYTES, encodeMessage, encodeUnsubscribe, shardRoom } from '../../src/wire.ts'
import { api, connectClient, createProject, issueToken, rawSocket, startTestServer, synced, syncFrame, updateSetting, waitFor } from './harness.ts'
import { connectMux } from './muxHarness.ts'

let server: Awaited<ReturnType<typeof startTestServer>>
let p1: { id: string, token: string }
let p2: { id: string, token: string }
beforeAll(async () => {
  server = await startTestServer()
  p1 = await createProject(server.url, 'One')
  p2 = await createProject(server.url, 'Two')
})
afterAll(() => server.close())

const roomContent = async (id: string): Promise<unknown> => (await server.rooms.get(id)).doc.getMap('scratch').toJSON()

describe('shard rooms and the mux socket take the project’s tokens', () => {
  test('a missing, wrong or other project token is closed with a reason before any byte, on /mux/P and on every shard', async () => {
    for (const path of [`/mux/${p1.id}`, `/sync/${shardRoom(p1.id, 0)}`, `/sync/${shardRoom(p1.id, 1023)}`]) {
      for (const [query, code, reason] of [['', 4401, /unauthorised/], ['?token=st_wrong', 4401, /unauthorised/], [`?token=${p2.token}`, 4403, /forbidden/]] as const) {
        const raw = await rawSocket(server.url, path + query)
        const closed = await raw.closed
        expect({ path, query, code: closed.code, before: closed.before }).toEqual({ path, query, code, before: 0 })
        expect(closed.reason).toMatch(reason)
      }
    }
  })

  test('room names are read strictly: a project id, then optionally .s and a shard 0–1023; the mux takes a project id only', async () => {
    const bad = [`/sync/${p1.id}.s1024`, `/sync/${p1.id}.s01`, `/sync/${p1.id}.s-1`, `/sync/${p1.id}.x3`, `/sync/${p1.id}.s3.s4`,
      `/sync/${p1.id}.s3%2F..`, `/mux/${p1.id}.s1`, '/mux/..%2Fdata', '/mux/']
    for (const path of bad) {
      const closed = await (await rawSocket(server.url, `${path}?token=${p1.token}`)).closed
      expect({ path, code: closed.code, reason: closed.reason, before: closed.before }).toEqual({ path, code: 4400, reason: 'invalid project id', before: 0 })
    }
    expect((await (await rawSocket(server.url, `/mux/nope?token=admin-secret`)).closed).code).toBe(4404)
  })

  test('viewers read every shard and the root but write none, on the mux socket and on /sync/P.s<i>', async () => {
    const viewer = (await issueToken(server.url, p1.id, p1.token, 'viewer')).token
    const owner = connectMux(server.url, p1.id, p1.token)
    const shard = owner.add(3)
    await waitFor(() => owner.provider.synced, 5000, 'owner synced')
    shard.getMap('scratch').set('by', 'owner')
    const look = connectMux(server.url, p1.id, viewer)
    const seen = look.add(3)
    await waitFor(() => look.provider.synced && seen.getMap('scratch').get('by') === 'owner', 5000, 'viewer reads shard 3')
    look.root.getMap('scratch').set('viewer', 'root')
    seen.getMap('scratch').set('viewer', 'shard')
    await waitFor(() => look.denied.length > 0, 5000, 'told read-only')
    expect(look.denied[0]).toMatch(/read-only/)
    const stock = connectClient(server.url, shardRoom(p1.id, 5), viewer)
    await synced(stock)
    stock.doc.getMap('scratch').set('viewer', 'stock')
    // A marker from the owner after the viewers' writes: once it is in, theirs were handled.
    owner.root.getMap('scratch').set('marker', 1)
    await waitFor(() => look.root.getMap('scratch').get('marker') === 1, 5000, 'marker')
    expect(await roomContent(p1.id)).toEqual({ marker: 1 })
    expect(await roomContent(shardRoom(p1.id, 3))).toEqual({ by: 'owner' })
    expect(await roomContent(shardRoom(p1.id, 5))).toEqual({})
    expect(look.provider.wsconnected).toBe(true)
    expect(look.closes).toEqual([])
    // A viewer's messages are capped at 1 MiB in parts too.
    const raw = await rawSocket(server.url, `/mux/${p1.id}?token=${viewer}`)
    const e = encoding.createEncoder()
    for (const n of [1, 0, 9, 0, 3]) encoding.writeVarUint(e, n)
    encoding.writeUint8Array(e, new Uint8Array(PART_BYTES))
    raw.ws.send(encoding.toUint8Array(e))
    expect(await raw.closed).toMatchObject({ code: 4413, reason: expect.stringMatching(/over the 1048576 bytes allowed/) })
    for (const c of [owner, look]) c.provider.destroy()
    stock.provider.destroy()
  })

  test('a revoked token closes its mux socket even when it holds only a shard', async () => {
    const editor = await issueToken(server.url, p1.id, p1.token, 'editor')
    const raw = await rawSocket(server.url, `/mux/${p1.id}?token=${editor.token}`)
    raw.ws.send(encodeMessage(8, syncFrame(0, Y.encodeStateVector(new Y.Doc()))))
    raw.ws.send(encodeMessage(8, syncFrame(2, updateSetting('k', 1))))
    await waitFor(() => raw.received.length >= 2, 5000, 'shard 7 answered')
    expect((await api(server.url, 'DELETE', `/api/projects/${p1.id}/tokens/${editor.id}`, p1.token)).status).toBe(204)
    expect(await raw.closed).toMatchObject({ code: 4401, reason: 'unauthorised: token revoked' })
    expect(await roomContent(shardRoom(p1.id, 7))).toEqual({ k: 1 })
  })

  test('a revoked token closes a mux socket that holds no room at the time, so it cannot subscribe and write afterwards', async () => {
    const editor = await issueToken(server.url, p1.id, p1.token, 'editor')
    const raw = await rawSocket(server.url, `/mux/${p1.id}?token=${editor.token}`)
    raw.ws.send(encodeMessage(6, syncFrame(0, Y.encodeStateVector(new Y.Doc()))))
    await waitFor(() => raw.received.length >= 2, 5000, 'shard 5 answered')
    const room = await server.rooms.get(shardRoom(p1.id, 5))
    raw.ws.send(encodeUnsubscribe(6))
    await waitFor(() => room.conns.size === 0, 5000, 'left shard 5')
    expect((await api(server.url, 'DELETE', `/api/projects/${p1.id}/tokens/${editor.id}`, p1.token)).status).toBe(204)
    // Sent at once: whatever the server reads of it after the revocation is not applied.
    raw.ws.send(encodeMessage(6, syncFrame(0, Y.encodeStateVector(new Y.Doc()))))
    raw.ws.send(encodeMessage(6, syncFrame(2, updateSetting('late', 1))))
    expect(await raw.closed).toMatchObject({ code: 4401, reason: 'unauthorised: token revoked' })
    expect(await roomContent(shardRoom(p1.id, 5))).toEqual({})
  })
})
