import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { openSqliteStorage } from '../../sync-server/storage/sqlite.ts'
import type { Storage } from '../../sync-server/storage/types.ts'
import { api, connectClient, createProject, startTestServer, synced, tempDir, waitFor } from './harness.ts'
import { rawRequest, rawUpgrade } from './raw.ts'

const ADMIN = { Authorization: 'Bearer admin-secret' }
const nonUtf8 = Buffer.from([0x2f, 0xff, 0xfe])
const overlong = `/${'a'.repeat(20_000)}`

// Target → the status it must get. 400: the target is refused (by Node's parser or by ours);
// 404: a well-formed path the test server has no file for (it serves no built app); 431: Node's
// header limit. Never 5xx.
const httpTargets = (project: string): Array<[string | Buffer, number]> => [
  ['//[', 400], ['http://[', 400], ['/%', 400], ['/%ff', 400], ['/%c3', 400], ['/a/%zz/b', 400],
  [nonUtf8, 400], ['/\0', 400], ['/a b', 400],
  ['/..;/', 404], ['/../../etc/passwd', 404], ['/%2e%2e/%2e%2e/etc/passwd', 404], ['/%00', 404], ['//x/y', 404], ['*', 404],
  [`/${'a'.repeat(8000)}`, 404], [overlong, 431],
  ['/api/projects/%', 400], ['/api/projects/%ff/export', 400], [`/api/projects/${project}/blobs/%2e%2e`, 400],
  [`/api/projects/${project}/export?version=%`, 404], [`/api/projects/${project}/export?version=%ff&format=coco`, 404],
  [`/api/projects/${project}/export?format=%`, 400], ['/api/%', 404],
]

// Upgrade target → HTTP status, or the close code right after the handshake.
const upgradeTargets = (project: string): Array<[string | Buffer, { status: number, code?: number }]> => [
  ['//[', { status: 404 }], ['http://[', { status: 404 }], [nonUtf8, { status: 400 }], ['/sync/\0', { status: 400 }],
  [`/sync/${'x'.repeat(20_000)}`, { status: 431 }],
  ['/sync/%', { status: 101, code: 4400 }], ['/sync/%ff', { status: 101, code: 4400 }], ['/sync/[', { status: 101, code: 4400 }],
  ['/sync//[', { status: 101, code: 4400 }], ['/sync/..%2f..%2fetc', { status: 101, code: 4400 }], ['/sync/..;/', { status: 101, code: 4400 }],
  [`/sync/${project}?token=%`, { status: 101, code: 4401 }], [`/sync/${project}?token=%ff%fe`, { status: 101, code: 4401 }],
  [`/sync/${project}?token=${'a'.repeat(8000)}`, { status: 101, code: 4401 }],
]

const label = (t: string | Buffer): string => JSON.stringify(typeof t === 'string' ? t.slice(0, 40) : t.toString('latin1'))

describe('odd request targets', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let project: { id: string, token: string }
  beforeAll(async () => {
    server = await startTestServer()
    project = await createProject(server.url)
  })
  afterAll(() => server.close())

  test('answer 400 where refused, never 5xx, count no storage error, and the server keeps serving', async () => {
    const seen: Array<[string, number]> = []
    for (const [target, expected] of httpTargets(project.id)) {
      const { status } = await rawRequest(server.url, target, { headers: ADMIN })
      seen.push([label(target), status])
      expect(status, label(target)).toBe(expected)
    }
    expect(seen.filter(([, status]) => status >= 500)).toEqual([])
    expect(server.metrics.storageErrors).toBe(0)
    expect(server.metrics.internalErrors).toBe(0)
    expect((await api(server.url, 'GET', '/healthz', null)).status).toBe(200)
    const client = connectClient(server.url, project.id, project.token)
    await synced(client)
    client.provider.destroy()
  })

  test('websocket upgrades with odd targets are refused without crashing the server', async () => {
    for (const [target, expected] of upgradeTargets(project.id)) {
      expect(await rawUpgrade(server.url, target), label(target)).toEqual(expect.objectContaining(expected))
    }
    expect(server.metrics.storageErrors).toBe(0)
    const client = connectClient(server.url, project.id, project.token)
    await synced(client)
    client.doc.getMap('scratch').set('after', 'sweep')
    await waitFor(() => server.metrics.updatesReceived > 0, 10_000, 'an edit after the sweep')
    client.provider.destroy()
  })
})

describe('what counts as a storage error', () => {
  const cleanup: Array<() => unknown> = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })

  test('a failing database read answers 500 and counts one storage error, not a bug', async () => {
    const dataDir = tempDir()
    const inner = openSqliteStorage(path.join(dataDir, 'strata.sqlite'))
    let failing = false
    const storage: Storage = {
      ...inner,
      getProject: async (id) => {
        if (failing) throw new Error('SQLITE_IOERR: disk I/O error')
        return inner.getProject(id)
      },
    }
    const server = await startTestServer(dataDir, {}, storage)
    cleanup.push(() => server.close())
    const { id, token } = await createProject(server.url)
    failing = true
    const res = await api(server.url, 'GET', `/api/projects/${id}`, token)
    expect(res.status).toBe(500)
    expect(res.json).toEqual({ error: 'storage error, try again later' })
    expect(server.metrics.storageErrors).toBe(1)
    expect(server.metrics.internalErrors).toBe(0)
  })

  test('an upload the client abandons mid-body is neither a storage error nor a bug', async () => {
    const server = await startTestServer()
    cleanup.push(() => server.close())
    const { id, token } = await createProject(server.url)
    const incoming = path.join(server.dataDir, 'blobs', '.incoming')
    const { hostname, port } = new URL(server.url)
    const socket = net.connect(Number(port), hostname)
    socket.on('error', () => undefined)
    socket.write(`PUT /api/projects/${id}/blobs/${'a'.repeat(64)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(100)}`)
    await waitFor(() => fs.readdirSync(incoming).length === 1, 10_000, 'the upload to start')
    socket.destroy()
    await waitFor(() => fs.readdirSync(incoming).length === 0, 10_000, 'the abandoned upload to be cleaned up')
    // The handler's failure path runs right after that cleanup; let it.
    await new Promise((r) => setTimeout(r, 100))
    expect(server.metrics.storageErrors).toBe(0)
    expect(server.metrics.internalErrors).toBe(0)
    expect(server.logs).toEqual([])
  })
})
