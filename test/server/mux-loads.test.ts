import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { MAX_LOADS_PER_SOCKET } from '../../sync-server/mux.ts'
import { openSqliteStorage } from '../../sync-server/storage/sqlite.ts'
import type { Storage } from '../../sync-server/storage/types.ts'
import { connectClient, createProject, startTestServer, synced, tempDir, waitFor } from './harness.ts'
import { type MuxClient, connectMux } from './muxHarness.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const SHARDS = 200

/**
 * Storage whose reads of a shard's log wait until the test lets them go, counting how many are
 * in flight at once: each is one room load.
 */
const heldShardReads = (dataDir: string) => {
  const inner = openSqliteStorage(path.join(dataDir, 'strata.sqlite'))
  const reads = { inFlight: 0, most: 0, waiting: [] as Array<() => void> }
  const storage: Storage = {
    ...inner,
    readLog: async (room, after) => {
      if (!room.includes('.s')) return inner.readLog(room, after)
      reads.inFlight++
      reads.most = Math.max(reads.most, reads.inFlight)
      try {
        await new Promise<void>((resolve) => reads.waiting.push(resolve))
        return await inner.readLog(room, after)
      } finally {
        reads.inFlight--
      }
    },
  }
  const releaseAll = (): void => {
    for (const release of reads.waiting.splice(0)) release()
  }
  return { storage, reads, releaseAll }
}

describe('a mux socket subscribing many shards at once', () => {
  test(`loads their rooms at most ${MAX_LOADS_PER_SOCKET} at a time, gets every answer, and an honest client beside it keeps getting relays`, async () => {
    const dataDir = tempDir()
    const { storage, reads, releaseAll } = heldShardReads(dataDir)
    const server = await startTestServer(dataDir, {}, storage)
    cleanup.push(() => server.close())
    const project = await createProject(server.url, 'Many shards')
    const writer = connectClient(server.url, project.id, project.token)
    const reader = connectClient(server.url, project.id, project.token)
    cleanup.push(() => writer.provider.destroy(), () => reader.provider.destroy())
    await Promise.all([synced(writer), synced(reader)])

    const bulk: MuxClient = connectMux(server.url, project.id, project.token)
    cleanup.push(() => bulk.provider.destroy())
    for (let i = 0; i < SHARDS; i++) bulk.add(i)
    await waitFor(() => reads.waiting.length > 0, 5000, 'the first loads started')
    // While the bulk socket's loads wait on storage, the root's clients still edit and hear each other.
    writer.doc.getMap('scratch').set('during', 'loads')
    await waitFor(() => reader.doc.getMap('scratch').get('during') === 'loads', 5000, 'a relay to the honest client')
    while (!bulk.provider.synced) {
      await waitFor(() => reads.waiting.length > 0 || bulk.provider.synced, 10_000, 'the next loads')
      releaseAll()
    }
    expect(bulk.provider.shards).toHaveLength(SHARDS)
    expect(bulk.provider.shards.every((i) => bulk.provider.docSynced(i))).toBe(true)
    expect(reads.most).toBe(MAX_LOADS_PER_SOCKET)
    expect([...bulk.closes, ...writer.closes, ...reader.closes]).toEqual([])
  }, 30_000)
})
