import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { openSqliteStorage } from '../../sync-server/storage/sqlite.ts'
import type { Storage } from '../../sync-server/storage/types.ts'
import { connectClient, converged, createProject, rawSocket, startTestServer, synced, syncFrame, tempDir, waitFor } from './harness.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

describe('room lifecycle', () => {
  test('frames sent while a room loads are capped in bytes, not just in number', async () => {
    const dataDir = tempDir()
    const inner = openSqliteStorage(path.join(dataDir, 'strata.sqlite'))
    let open: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (open = resolve))
    // A room that takes its time to load, as a big project on a slow disk does.
    const storage: Storage = { ...inner, readLog: async (room, after) => (await gate, inner.readLog(room, after)) }
    const server = await startTestServer(dataDir, { maxMessageBytes: 64 * 1024 }, storage)
    cleanup.push(() => server.close())
    const project = await createProject(server.url, 'Slow')
    const raw = await rawSocket(server.url, `/sync/${project.id}?token=${project.token}`)
    const frame = syncFrame(2, new Uint8Array(40 * 1024))
    raw.ws.send(frame)
    raw.ws.send(frame)
    expect(await raw.closed).toEqual({ code: 4429, reason: 'rate limit: too many messages before the project loaded', before: 0 })
    open()
  })

  test('a late close from an evicted room does not evict the room that serves the project now', async () => {
    const server = await startTestServer(undefined, { idleRoomMs: 30 })
    cleanup.push(() => server.close())
    const project = await createProject(server.url, 'Busy')
    const first = connectClient(server.url, project.id, project.token)
    await synced(first)
    const stale = await server.rooms.get(project.id)
    first.provider.destroy()
    await waitFor(() => server.rooms.size === 0, 5000, 'the idle room is evicted')

    const a = connectClient(server.url, project.id, project.token)
    const b = connectClient(server.url, project.id, project.token)
    cleanup.push(() => a.provider.destroy(), () => b.provider.destroy())
    await Promise.all([synced(a), synced(b)])
    const current = await server.rooms.get(project.id)
    expect(current).not.toBe(stale)
    // The evicted room hears of a connection closing only now.
    server.rooms.released(stale)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(server.rooms.size).toBe(1)
    expect(await server.rooms.get(project.id)).toBe(current)
    a.doc.getMap('scratch').set('after', 1)
    await waitFor(() => converged(a, b) && b.doc.getMap('scratch').get('after') === 1, 5000, 'live edits still reach the other client')
    expect(Y.encodeStateVector(current.doc)).toEqual(Y.encodeStateVector(a.doc))
  })
})
