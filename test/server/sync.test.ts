import { afterEach, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { openSqliteStorage } from '../../sync-server/storage/sqlite.ts'
import {
  type Client, connectClient, content, converged, createProject, startTestServer, synced, waitFor,
} from './harness.ts'
import path from 'node:path'
import { readProject } from '../../src/domain/index.ts'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})
const track = (c: Client): Client => {
  cleanup.push(() => c.provider.destroy())
  return c
}

describe('sync', () => {
  test('a project created over REST starts with its name and schema in the document', async () => {
    const server = await startTestServer()
    cleanup.push(() => server.close())
    const { id, token } = await createProject(server.url, 'Traffic signs')
    const a = track(connectClient(server.url, id, token))
    await synced(a)
    expect(readProject(a.doc).meta).toMatchObject({ name: 'Traffic signs', schema: 1 })
  })

  test('two clients converge, and a client that edited offline merges on reconnect', async () => {
    const server = await startTestServer()
    cleanup.push(() => server.close())
    const { id, token } = await createProject(server.url)
    const a = track(connectClient(server.url, id, token))
    const b = track(connectClient(server.url, id, token))
    await Promise.all([synced(a), synced(b)])

    a.doc.getMap('scratch').set('from-a', 1)
    b.doc.getMap('scratch').set('from-b', 2)
    await waitFor(() => converged(a, b) && a.doc.getMap('scratch').size === 2, 5000, 'convergence')

    b.provider.disconnect()
    b.doc.getMap('scratch').set('offline-b', 3)
    b.doc.getMap('scratch').delete('from-a')
    a.doc.getMap('scratch').set('online-a', 4)
    await new Promise((r) => setTimeout(r, 100))
    expect(a.doc.getMap('scratch').has('offline-b')).toBe(false)
    b.provider.connect()
    await waitFor(() => converged(a, b) && a.doc.getMap('scratch').size === 3, 5000, 'offline merge')
    expect(a.doc.getMap('scratch').toJSON()).toEqual({ 'from-b': 2, 'offline-b': 3, 'online-a': 4 })
  })

  test('the log survives a restart and compaction keeps every struct (no GC)', async () => {
    const server = await startTestServer(undefined, { compactAfter: 20 })
    const { id, token } = await createProject(server.url)
    const a = connectClient(server.url, id, token)
    await synced(a)
    const items = a.doc.getMap('scratch')
    for (let i = 0; i < 50; i++) items.set(`k${i % 10}`, i)
    for (let i = 0; i < 5; i++) items.delete(`k${i}`)
    await waitFor(() => server.metrics.updatesReceived === 55, 5000, 'all updates logged')
    const before = Y.encodeStateVector(a.doc)
    a.provider.destroy()
    await server.close()

    // Compaction merged rows, but the deleted values are still in the store: history is kept.
    const storage = openSqliteStorage(path.join(server.dataDir, 'strata.sqlite'))
    const rows = (await storage.readLog(id)).map((r) => r.data)
    await storage.close()
    expect(rows.length).toBe(1)
    const stored = Y.decodeUpdate(rows[0]!)
    expect(stored.structs.length).toBeGreaterThan(0)
    const replay = new Y.Doc({ gc: false })
    Y.applyUpdate(replay, rows[0]!)
    expect(Y.encodeStateVector(replay)).toEqual(before)

    const again = await startTestServer(server.dataDir)
    cleanup.push(() => again.close())
    const fresh = track(connectClient(again.url, id, token))
    await synced(fresh)
    expect(content(fresh.doc)).toBe(JSON.stringify({ k5: 45, k6: 46, k7: 47, k8: 48, k9: 49 }))
  })

  test('an idle room is evicted from memory after its log is flushed, and reloads intact', async () => {
    const server = await startTestServer(undefined, { idleRoomMs: 50 })
    cleanup.push(() => server.close())
    const { id, token } = await createProject(server.url)
    const a = connectClient(server.url, id, token)
    await synced(a)
    a.doc.getMap('scratch').set('x', 'kept')
    await waitFor(() => server.metrics.updatesReceived === 1)
    a.provider.destroy()
    await waitFor(() => server.rooms.size === 0, 3000, 'eviction')
    const b = track(connectClient(server.url, id, token))
    await synced(b)
    expect(b.doc.getMap('scratch').get('x')).toBe('kept')
  })

  test('relays awareness (presence) between clients', async () => {
    const server = await startTestServer()
    cleanup.push(() => server.close())
    const { id, token } = await createProject(server.url)
    const a = track(connectClient(server.url, id, token))
    const b = track(connectClient(server.url, id, token))
    await Promise.all([synced(a), synced(b)])
    a.provider.awareness.setLocalStateField('user', { name: 'Ada' })
    await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID) !== undefined, 5000, 'presence')
    expect(b.provider.awareness.getStates().get(a.doc.clientID)).toEqual({ user: { name: 'Ada' } })
  })
})
