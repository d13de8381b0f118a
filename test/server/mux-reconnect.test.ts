import { afterEach, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { MuxProvider } from '../../src/sync/mux.ts'
import { shardRoom } from '../../src/wire.ts'
import { createProject, startTestServer, tempDir, waitFor } from './harness.ts'
import { connectMux } from './muxHarness.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

describe('the mux client comes back like the stock one', () => {
  test('after a server restart it reconnects, resubscribes every shard and sends what was edited offline', async () => {
    const dataDir = tempDir()
    const first = await startTestServer(dataDir)
    const port = Number(new URL(first.url).port)
    const project = await createProject(first.url, 'Restarted')
    const client = connectMux(first.url, project.id, project.token)
    cleanup.push(() => client.provider.destroy())
    const statuses: string[] = []
    client.provider.on('status', ({ status }) => statuses.push(status))
    const shard = client.add(6)
    await waitFor(() => client.provider.synced, 5000, 'synced')
    await first.close()
    await waitFor(() => !client.provider.wsconnected, 5000, 'disconnected')
    expect(client.provider.synced).toBe(false)
    client.root.getMap('scratch').set('offline', 'root')
    shard.getMap('scratch').set('offline', 'shard')
    const second = await startTestServer(dataDir, { port })
    cleanup.push(() => second.close())
    await waitFor(() => client.provider.synced, 10_000, 'synced again')
    await waitFor(() => second.metrics.updatesReceived >= 2, 5000, 'offline edits logged')
    expect((await second.rooms.get(project.id)).doc.getMap('scratch').get('offline')).toBe('root')
    expect((await second.rooms.get(shardRoom(project.id, 6))).doc.getMap('scratch').get('offline')).toBe('shard')
    expect(statuses).toContain('disconnected')
    expect(statuses.at(-1)).toBe('connected')
    expect(client.closes[0]?.code).toBe(1001)
  })

  test('a refusal (44xx) ends its retries and says why', async () => {
    const server = await startTestServer()
    cleanup.push(() => server.close())
    const project = await createProject(server.url, 'Refused')
    // Not the harness's client: that one stops itself on 4401, as the app does.
    const provider = new MuxProvider(`${server.url.replace(/^http/, 'ws')}/mux`, project.id, new Y.Doc({ gc: false }), {
      params: { token: 'st_wrong' }, WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, maxBackoffTime: 100,
    })
    cleanup.push(() => provider.destroy())
    const closed: Array<{ code: number, reason: string }> = []
    let closes = 0
    provider.on('closed', (event) => closed.push(event))
    provider.on('connection-close', () => closes++)
    await waitFor(() => closed.length > 0, 5000, 'refused')
    await new Promise((resolve) => setTimeout(resolve, 800))
    expect(closed).toEqual([{ code: 4401, reason: 'unauthorised: missing, unknown or revoked token' }])
    expect(closes).toBe(1)
    expect(provider.shouldConnect).toBe(false)
  })
})
