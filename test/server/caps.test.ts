import net from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import * as D from '../../src/domain/index.ts'
import type { Config } from '../../sync-server/config.ts'
import { openSqliteStorage } from '../../sync-server/storage/sqlite.ts'
import type { Storage } from '../../sync-server/storage/types.ts'
import {
  type Client, connectClient, createProject, issueToken, rawSocket, startTestServer, synced, syncFrame, tempDir, waitFor,
} from './harness.ts'
import { maskedFrame, rawClientSocket } from './slowReader.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const MiB = 1024 * 1024

const serverWithProject = async (overrides: Partial<Config> = {}) => {
  const server = await startTestServer(undefined, overrides)
  cleanup.push(() => server.close())
  const project = await createProject(server.url, 'P')
  const viewer = (await issueToken(server.url, project.id, project.token, 'viewer')).token
  const editor = (await issueToken(server.url, project.id, project.token, 'editor')).token
  return { server, project, viewer, editor }
}

const client = (url: string, projectId: string, token: string): Client => {
  const c = connectClient(url, projectId, token)
  cleanup.push(() => c.provider.destroy())
  return c
}

describe('caps by role', () => {
  test("a viewer's frame over its 1 MiB cap is refused with 4413; an editor's 3 MiB update is taken", async () => {
    const { server, project, viewer, editor } = await serverWithProject()
    const big = syncFrame(2, new Uint8Array(3 * MiB))
    const asViewer = await rawSocket(server.url, `/sync/${project.id}?token=${viewer}`)
    asViewer.ws.send(syncFrame(2, new Uint8Array(MiB + 10)))
    expect(await asViewer.closed).toMatchObject({ code: 4413, reason: expect.stringMatching(/over 1048576 bytes \(the cap of a viewer\)/) })
    // An honest big edit from an editor: 3,000 items in one transaction.
    const writer = client(server.url, project.id, editor)
    await synced(writer)
    writer.doc.transact(() => {
      for (let i = 0; i < 3000; i++) D.addItem(writer.doc, { name: `img_${i}_${'x'.repeat(150)}.jpg`, blob: 'a'.repeat(64), mime: 'image/jpeg', width: 1, height: 1 }, { id: 'u', name: 'U' })
    }, D.IMPORT)
    const reader = client(server.url, project.id, viewer)
    await synced(reader)
    await waitFor(() => D.maps(reader.doc).items.size === 3000, 20_000, 'the big edit is relayed')
    expect(big.length).toBeGreaterThan(MiB)
    expect(writer.closes).toEqual([])
  })

  test('a viewer announcing a 200 MiB frame is cut off before the server reads it', async () => {
    const { server, project, viewer } = await serverWithProject()
    const hostile = rawClientSocket(server.url, `/sync/${project.id}?token=${viewer}`, { read: true })
    cleanup.push(() => hostile.destroy())
    await hostile.opened
    // The header announces 200 MiB and 4 MiB of it follow: the server refuses on the header
    // (1009, from ws) instead of buffering the frame until it is complete.
    hostile.raw(maskedFrame(new Uint8Array(0), 200 * MiB).subarray(0, 14))
    hostile.raw(new Uint8Array(4 * MiB))
    await waitFor(() => hostile.closeCode() !== undefined, 10_000, 'the close frame')
    expect(hostile.closeCode()).toBe(1009)
    expect(server.metrics.bytesReceived).toBeLessThan(MiB)
  })
})

describe('connection caps', () => {
  test('past the cap per token a connection is refused with 4429 and the reason; a slot freed is usable again', async () => {
    const { server, project, editor } = await serverWithProject({ maxConnectionsPerToken: 3 })
    const three = [client(server.url, project.id, editor), client(server.url, project.id, editor), client(server.url, project.id, editor)]
    await Promise.all(three.map((c) => synced(c)))
    const fourth = await rawSocket(server.url, `/sync/${project.id}?token=${editor}`)
    expect(await fourth.closed).toMatchObject({ code: 4429, reason: 'too many connections for this token (at most 3 at once)' })
    // Other tokens are not affected by this one's cap.
    const owner = client(server.url, project.id, project.token)
    await synced(owner)
    const room = await server.rooms.get(project.id)
    three[0]!.provider.destroy()
    await waitFor(() => room.conns.size === 3, 5000, 'the server saw the first one go')
    const again = client(server.url, project.id, editor)
    await synced(again)
    expect([...three.slice(1), owner, again].flatMap((c) => c.closes)).toEqual([])
  })

  test('past the cap per address a connection is refused with 4429, whatever its token', async () => {
    const { server, project, editor, viewer } = await serverWithProject({ maxConnectionsPerAddress: 2 })
    const a = client(server.url, project.id, editor)
    const b = client(server.url, project.id, viewer)
    await Promise.all([synced(a), synced(b)])
    const third = await rawSocket(server.url, `/sync/${project.id}?token=${project.token}`)
    expect(await third.closed).toMatchObject({ code: 4429, reason: 'too many connections for this address (at most 2 at once)' })
    expect([...a.closes, ...b.closes]).toEqual([])
  })

  test('upgrades abandoned while their token is being checked give their slot back', async () => {
    const dataDir = tempDir()
    const inner = openSqliteStorage(path.join(dataDir, 'strata.sqlite'))
    // A token lookup that takes its time, as on a busy database: the clients leave meanwhile.
    const storage: Storage = { ...inner, findToken: async (hash) => (await new Promise((r) => setTimeout(r, 100)), inner.findToken(hash)) }
    const server = await startTestServer(dataDir, { maxConnectionsPerAddress: 2 }, storage)
    cleanup.push(() => server.close())
    const project = await createProject(server.url, 'P')
    const editor = (await issueToken(server.url, project.id, project.token, 'editor')).token
    for (let i = 0; i < 10; i++) {
      const gone = rawClientSocket(server.url, `/sync/${project.id}?token=${editor}`)
      await gone.opened
      gone.destroy()
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    const a = client(server.url, project.id, editor)
    const b = client(server.url, project.id, editor)
    await Promise.all([synced(a), synced(b)])
    expect([...a.closes, ...b.closes]).toEqual([])
  })
})

describe('slow requests', () => {
  test('a request whose headers never finish is answered 408 and closed', async () => {
    const { server } = await serverWithProject({ headersTimeoutMs: 300 })
    const { port } = new URL(server.url)
    const socket = net.connect(Number(port), '127.0.0.1')
    const answer: Buffer[] = []
    socket.on('data', (d: Buffer) => answer.push(d))
    socket.on('error', () => undefined)
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.write('GET /sync/x HTTP/1.1\r\nHost: localhost\r\n')
    // A trickle: one byte of a header line every 100 ms, never the blank line.
    const trickle = setInterval(() => socket.write('X'), 100)
    await closed
    clearInterval(trickle)
    expect(Buffer.concat(answer).toString('latin1')).toMatch(/^HTTP\/1\.1 408/)
    const health = await fetch(`${server.url}/healthz`)
    expect(health.status).toBe(200)
  })
})
