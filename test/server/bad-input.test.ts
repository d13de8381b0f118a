import net from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import {
  type Client, api, connectClient, createProject, issueToken, rawSocket, startTestServer, synced, syncFrame, waitFor,
} from './harness.ts'

const CAP = 64 * 1024
let server: Awaited<ReturnType<typeof startTestServer>>
let target: { id: string, token: string }
let editor: string

beforeAll(async () => {
  server = await startTestServer(undefined, { maxMessageBytes: CAP, ratePerSecond: 50, rateBurst: 100 })
  target = await createProject(server.url, 'Target')
  editor = (await issueToken(server.url, target.id, target.token, 'editor')).token
})
afterAll(() => server.close())

// Mulberry32: the random frames are the same on every run.
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const manyKeys = (): Uint8Array => {
  const d = new Y.Doc({ gc: false })
  d.transact(() => { for (let i = 0; i < 50; i++) d.getMap('scratch').set(`evil${i}`, { i, pad: 'x'.repeat(20) }) })
  return Y.encodeStateAsUpdate(d)
}

const attack = async (frame: Uint8Array | string): Promise<{ code: number, reason: string }> => {
  const raw = await rawSocket(server.url, `/sync/${target.id}?token=${editor}`)
  raw.ws.send(frame)
  const { code, reason } = await raw.closed
  return { code, reason }
}

// Keeps a second room busy and measures edit-to-peer latency while the first is attacked.
const bystanders = async () => {
  const other = await createProject(server.url, 'Bystander')
  const a = connectClient(server.url, other.id, other.token)
  const b = connectClient(server.url, other.id, other.token)
  await Promise.all([synced(a), synced(b)])
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  b.doc.getMap('scratch').observe((e) => {
    for (const key of e.keysChanged) latencies.push(performance.now() - (sentAt.get(key) ?? NaN))
  })
  let n = 0
  const timer = setInterval(() => {
    const key = `edit${n++}`
    sentAt.set(key, performance.now())
    a.doc.getMap('scratch').set(key, n)
  }, 20)
  return {
    stop: async (): Promise<{ sent: number, latencies: number[], clients: Client[] }> => {
      // At least a second of edits, so the percentiles describe the whole attack and beyond.
      await waitFor(() => n >= 50, 5000, 'bystander edits sent')
      clearInterval(timer)
      await waitFor(() => latencies.length === n, 5000, 'bystander edits')
      return { sent: n, latencies, clients: [a, b] }
    },
  }
}

describe('bad input', () => {
  test('bad frames close only the offender with a reason; nothing is applied; other rooms keep serving', async () => {
    const owner = connectClient(server.url, target.id, target.token)
    await synced(owner)
    owner.doc.getMap('scratch').set('good', 1)
    await waitFor(() => server.metrics.updatesReceived === 1)
    const before = Y.encodeStateAsUpdate((await server.rooms.get(target.id)).doc)
    const busy = await bystanders()

    const update = manyKeys()
    const truncatedFrame = syncFrame(2, update)
    const rnd = random(42)
    const results: Array<[string, { code: number, reason: string }]> = [
      ['text frame', await attack('hello')],
      ['truncated update', await attack(syncFrame(2, update.slice(0, update.length - 7)))],
      ['truncated step 2', await attack(syncFrame(1, update.slice(0, 40)))],
      ['truncated frame', await attack(truncatedFrame.slice(0, truncatedFrame.length - 10))],
      ['unknown message type', await attack(new Uint8Array([7, 0, 0]))],
      ['unknown sync type', await attack(new Uint8Array([0, 9, 0]))],
      ['over the cap', await attack(new Uint8Array(CAP + 1))],
    ]
    for (let i = 0; i < 20; i++) {
      const bytes = Uint8Array.from({ length: 8 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))
      results.push([`random bytes #${i}`, await attack(bytes)])
    }
    for (const [what, closed] of results) {
      expect(closed.code, what).toBe(what === 'over the cap' ? 4413 : 4400)
      expect(closed.reason.length, what).toBeGreaterThan(5)
    }
    expect(results[1]![1].reason).toBe('invalid or truncated Yjs update')

    const flood = await rawSocket(server.url, `/sync/${target.id}?token=${editor}`)
    for (let i = 0; i < 300; i++) flood.ws.send(new Uint8Array([3]))
    expect(await flood.closed).toMatchObject({ code: 4429, reason: expect.stringMatching(/rate/) })

    await malformedWebsocketFrame()

    const { sent, latencies, clients } = await busy.stop()
    latencies.sort((x, y) => x - y)
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Infinity
    console.log(`bystander room during attacks: ${sent} edits, p50 ${latencies[Math.floor(sent / 2)]?.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`)
    expect(latencies.length).toBe(sent)
    // Loose on purpose: test files share 2 cores; the 50 ms budget is held by `npm run bench`.
    expect(p99).toBeLessThan(500)

    expect(Y.encodeStateAsUpdate((await server.rooms.get(target.id)).doc)).toEqual(before)
    expect(owner.doc.getMap('scratch').toJSON()).toEqual({ good: 1 })
    expect((await api(server.url, 'GET', '/healthz', null)).status).toBe(200)
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(Number(/^strata_messages_rejected_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(results.length + 1)
    expect(metrics).toMatch(/^strata_closes_total\{code="4400"\} \d+$/m)
    const fresh = connectClient(server.url, target.id, editor)
    await synced(fresh)
    expect(fresh.doc.getMap('scratch').toJSON()).toEqual({ good: 1 })
    for (const c of [owner, fresh, ...clients]) c.provider.destroy()
  })
})

// A hand-made upgrade followed by a frame with a reserved opcode: ws must drop it, not crash.
const malformedWebsocketFrame = async (): Promise<void> => {
  const { port } = new URL(server.url)
  const socket = net.connect(Number(port), '127.0.0.1')
  socket.on('error', () => undefined)
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write([
    `GET /sync/${target.id}?token=${editor} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', '',
  ].join('\r\n'))
  await new Promise<void>((resolve) => socket.once('data', () => resolve()))
  socket.write(Buffer.from([0x83, 0x85, 1, 2, 3, 4, 9, 9, 9, 9, 9]))
  await new Promise<void>((resolve) => socket.once('close', () => resolve()))
}
