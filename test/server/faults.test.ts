import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { openSqliteStorage } from '../../sync-server/storage/sqlite.ts'
import type { Storage } from '../../sync-server/storage/types.ts'
import { connectClient, createProject, startTestServer, synced, tempDir, waitFor } from './harness.ts'

// The real SQLite store, with switches that make its reads or writes fail like a full disk.
const faultyStorage = (dataDir: string) => {
  const inner = openSqliteStorage(path.join(dataDir, 'strata.sqlite'))
  const faults = { writes: false, loads: false }
  const storage: Storage = {
    ...inner,
    appendUpdate: async (room, update) => {
      if (faults.writes) throw new Error('SQLITE_FULL: database or disk is full')
      return inner.appendUpdate(room, update)
    },
    readLog: async (room, after) => {
      if (faults.loads) throw new Error('SQLITE_IOERR: disk I/O error')
      return inner.readLog(room, after)
    },
  }
  return { storage, faults, inner }
}

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

describe('storage faults', () => {
  test('a failed write closes with 4500 and a reason; the edit stays on the client and is saved once storage recovers', async () => {
    const dataDir = tempDir()
    const { storage, faults } = faultyStorage(dataDir)
    const server = await startTestServer(dataDir, {}, storage)
    cleanup.push(() => server.close())
    const { id, token } = await createProject(server.url)
    const writer = connectClient(server.url, id, token)
    const peer = connectClient(server.url, id, token)
    cleanup.push(() => writer.provider.destroy(), () => peer.provider.destroy())
    await Promise.all([synced(writer), synced(peer)])

    faults.writes = true
    writer.doc.getMap('scratch').set('precious', 'label')
    await waitFor(() => writer.closes.length > 0, 5000, 'close after storage error')
    expect(writer.closes[0]).toEqual({ code: 4500, reason: 'storage error: the edit was not saved, it stays on your device' })
    const room = await server.rooms.get(id)
    expect(room.doc.getMap('scratch').has('precious')).toBe(false)
    expect(peer.doc.getMap('scratch').has('precious')).toBe(false)
    expect(writer.doc.getMap('scratch').get('precious')).toBe('label')
    expect(server.metrics.storageErrors).toBeGreaterThan(0)

    faults.writes = false
    await waitFor(() => peer.doc.getMap('scratch').get('precious') === 'label', 10_000, 'edit saved after recovery')
    expect(room.doc.getMap('scratch').get('precious')).toBe('label')
    expect((await storage.readLog(id)).length).toBeGreaterThan(0)
  })

  test('a failed load closes with 4500 and never serves or stores a blank document', async () => {
    const dataDir = tempDir()
    const { storage, faults, inner } = faultyStorage(dataDir)
    const server = await startTestServer(dataDir, { idleRoomMs: 20 }, storage)
    cleanup.push(() => server.close())
    const { id, token } = await createProject(server.url)
    const first = connectClient(server.url, id, token)
    await synced(first)
    first.doc.getMap('scratch').set('existing', 1)
    await waitFor(() => server.metrics.updatesReceived === 1)
    first.provider.destroy()
    await waitFor(() => server.rooms.size === 0, 3000, 'eviction')
    const rowsBefore = await inner.readLog(id)

    faults.loads = true
    const late = connectClient(server.url, id, token)
    cleanup.push(() => late.provider.destroy())
    late.doc.getMap('scratch').set('offline', 2)
    await waitFor(() => late.closes.length > 0, 5000, 'close after failed load')
    expect(late.closes[0]).toEqual({ code: 4500, reason: 'storage error: could not load the project, try again later' })
    expect(late.doc.getMap('scratch').toJSON()).toEqual({ offline: 2 })
    expect(server.rooms.size).toBe(0)
    expect(await inner.readLog(id)).toEqual(rowsBefore)

    faults.loads = false
    await waitFor(() => late.provider.synced && late.doc.getMap('scratch').size === 2, 10_000, 'sync after recovery')
    expect(late.doc.getMap('scratch').toJSON()).toEqual({ existing: 1, offline: 2 })
  })
})
