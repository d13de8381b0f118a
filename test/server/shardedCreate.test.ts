import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import * as S from '../../src/domain/sharded/index.ts'
import { api, startTestServer, waitFor } from './harness.ts'
import { connectMux } from './muxHarness.ts'

let server: Awaited<ReturnType<typeof startTestServer>>
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

describe('POST /api/projects with a shard count makes a sharded project', () => {
  test('the root says schema 2 with its count and name, every shard names its place, and a client adds an item and cuts a version through the server', async () => {
    const res = await api(server.url, 'POST', '/api/projects', 'admin-secret', { name: 'Big set', shards: 4 })
    expect(res.status).toBe(201)
    const id = String(res.json?.id)
    const client = connectMux(server.url, id, String(res.json?.token))
    const shards = Array.from({ length: 4 }, () => new Y.Doc({ gc: false }))
    shards.forEach((doc, i) => client.add(i, doc))
    await waitFor(() => client.provider.synced, 5000, 'everything synced')
    // Nothing written again on top: the server's seed alone is what the client read.
    expect(D.maps(client.root).meta.toJSON()).toMatchObject({ schema: S.SHARDED_SCHEMA, name: 'Big set', shards: 4 })
    expect(shards.map((doc) => D.maps(doc).meta.toJSON())).toEqual([0, 1, 2, 3].map((i) => ({ schema: S.SHARDED_SCHEMA, shard: i, of: 4 })))
    const project = S.shardedProject(client.root, S.memoryShards(shards))
    const by = { id: 'ann', name: 'Ann' }
    const itemId = await S.addItem(project, { name: 'a.jpg', blob: 'a'.repeat(64), mime: 'image/jpeg', width: 10, height: 10 }, by)
    const v = await S.createVersion(project, { name: 'first' }, by)
    const fresh = connectMux(server.url, id, String(res.json?.token))
    const copies = Array.from({ length: 4 }, () => new Y.Doc({ gc: false }))
    copies.forEach((doc, i) => fresh.add(i, doc))
    await waitFor(() => fresh.provider.synced && D.maps(fresh.root).versions.has(v.id) && copies.some((d) => D.maps(d).items.has(itemId)), 5000, 'the item and the version reached a fresh client')
    const again = S.shardedProject(fresh.root, S.memoryShards(copies))
    expect((await S.readProject(S.openVersion(again, v.id))).items.map((i) => i.name)).toEqual(['a.jpg'])
    for (const c of [client, fresh]) c.provider.destroy()
  })

  test('a shard count that is not a power of two from 1 to 1024 is refused with a reason, and no project is made', async () => {
    const before = (await api(server.url, 'GET', '/api/projects', 'admin-secret')).json?.projects as unknown[]
    for (const shards of [3, 0, 2048, 1.5, '16', null]) {
      const res = await api(server.url, 'POST', '/api/projects', 'admin-secret', { name: 'Bad', shards })
      expect({ shards, status: res.status }).toEqual({ shards, status: 400 })
      expect(JSON.stringify(res.json)).toMatch(/shards must be a power of two from 1 to 1024/)
    }
    const after = (await api(server.url, 'GET', '/api/projects', 'admin-secret')).json?.projects as unknown[]
    expect(after).toHaveLength(before.length)
  })
})
