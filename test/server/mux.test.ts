import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import * as S from '../../src/domain/sharded/index.ts'
import { MAX_WIRE_BYTES, encodeMessage, shardRoom } from '../../src/wire.ts'
import { ann, image } from '../domain/helpers.ts'
import { connectClient, createProject, rawSocket, startTestServer, synced, syncFrame, waitFor } from './harness.ts'
import { type MuxClient, connectMux, scratch } from './muxHarness.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const serverWithProject = async (overrides = {}) => {
  const server = await startTestServer(undefined, overrides)
  cleanup.push(() => server.close())
  const project = await createProject(server.url, 'Sharded')
  return { server, project }
}

const mux = (base: string, projectId: string, token: string): MuxClient => {
  const client = connectMux(base, projectId, token)
  cleanup.push(() => client.provider.destroy())
  return client
}

const allSynced = (...clients: MuxClient[]): Promise<void> =>
  waitFor(() => clients.every((c) => c.provider.synced), 10_000, 'mux clients synced')

/** A string of `bytes` characters nobody would guess: Yjs stores it as it is. */
const blob = (bytes: number): string => randomBytes(bytes / 2).toString('hex')

describe('one socket per project: the root and its shards', () => {
  test('two mux clients converge on the root and several shards; each shard has its own log', async () => {
    const { server, project } = await serverWithProject()
    const a = mux(server.url, project.id, project.token)
    const b = mux(server.url, project.id, project.token)
    for (const i of [0, 3, 7]) {
      a.add(i)
      b.add(i)
    }
    await allSynced(a, b)
    a.root.getMap('scratch').set('name', 'root edit')
    for (const i of [0, 3, 7]) a.shards.get(i)?.getMap('scratch').set(`from-a-${i}`, i)
    b.shards.get(3)?.getMap('scratch').set('from-b', 'three')
    const same = (): boolean => scratch(a.root) === scratch(b.root)
      && [0, 3, 7].every((i) => scratch(a.shards.get(i) as Y.Doc) === scratch(b.shards.get(i) as Y.Doc))
    await waitFor(() => same() && b.shards.get(7)?.getMap('scratch').get('from-a-7') === 7 && a.shards.get(3)?.getMap('scratch').get('from-b') === 'three', 5000, 'converged')
    expect(b.root.getMap('scratch').get('name')).toBe('root edit')
    // Each document landed in its own room, never in another's.
    const room3 = await server.rooms.get(shardRoom(project.id, 3))
    expect(room3.doc.getMap('scratch').toJSON()).toEqual({ 'from-a-3': 3, 'from-b': 'three' })
    expect((await server.rooms.get(project.id)).doc.getMap('scratch').toJSON()).toEqual({ name: 'root edit' })
    expect([...a.closes, ...b.closes]).toEqual([])
  })

  test('a stock WebsocketProvider on /sync/P.s3 converges with a mux client on shard 3', async () => {
    const { server, project } = await serverWithProject()
    const m = mux(server.url, project.id, project.token)
    const shard = m.add(3)
    const stock = connectClient(server.url, shardRoom(project.id, 3), project.token)
    cleanup.push(() => stock.provider.destroy())
    await Promise.all([allSynced(m), synced(stock)])
    shard.getMap('scratch').set('mux', 1)
    stock.doc.getMap('scratch').set('stock', 2)
    await waitFor(() => scratch(shard) === scratch(stock.doc) && shard.getMap('scratch').size === 2, 5000, 'shard 3 converged')
    // The stock client's presence in the shard room does not reach the mux socket: presence is the root's.
    stock.provider.awareness.setLocalStateField('user', { name: 'Stock' })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect([...m.provider.awareness.getStates().keys()]).toEqual([m.root.clientID])
    expect(m.root.getMap('scratch').size).toBe(0)
  })

  test('an edit over 1 MiB arrives whole, and a shard over 1 MiB syncs to a fresh client in parts, every frame at most 1 MiB', async () => {
    const { server, project } = await serverWithProject()
    const writer = mux(server.url, project.id, project.token)
    const reader = mux(server.url, project.id, project.token)
    const big = writer.add(2)
    const live = reader.add(2)
    await allSynced(writer, reader)
    const value = blob(3 * 1024 * 1024)
    big.getMap('scratch').set('big', value)
    await waitFor(() => live.getMap('scratch').get('big') === value, 10_000, 'the big edit reaches the other client')
    expect(Math.max(...writer.wire.sent)).toBeLessThanOrEqual(MAX_WIRE_BYTES)
    expect(writer.wire.sent.filter((n) => n > MAX_WIRE_BYTES / 2).length).toBeGreaterThanOrEqual(3)

    const fresh = mux(server.url, project.id, project.token)
    const copy = fresh.add(2)
    await allSynced(fresh)
    expect(copy.getMap('scratch').get('big')).toBe(value)
    expect(Y.encodeStateVector(copy)).toEqual(Y.encodeStateVector(big))
    for (const c of [writer, reader, fresh]) {
      expect(Math.max(...c.wire.sent, ...c.wire.received)).toBeLessThanOrEqual(MAX_WIRE_BYTES)
    }
    expect(fresh.wire.received.reduce((a, b) => a + b, 0)).toBeGreaterThan(3 * 1024 * 1024)
    // Progress: every part counted, of the same total, ending complete.
    const ofShard = fresh.progress.filter((p) => p.doc === 2)
    expect(ofShard.length).toBeGreaterThanOrEqual(3)
    expect(ofShard.map((p) => p.received)).toEqual(Array.from({ length: ofShard.length }, (_, i) => i + 1))
    expect(ofShard.at(-1)).toMatchObject({ received: ofShard[0]?.count })
    expect([...writer.closes, ...reader.closes, ...fresh.closes]).toEqual([])
  })

  test('an unsubscribed document gets no relays; subscribing again catches up', async () => {
    const { server, project } = await serverWithProject()
    const a = mux(server.url, project.id, project.token)
    const b = mux(server.url, project.id, project.token)
    const a1 = a.add(1)
    const a2 = a.add(2)
    b.add(1)
    const b2 = b.add(2)
    await allSynced(a, b)
    a.provider.removeShard(2)
    // Frames on one socket are handled in order: once shard 5 is answered, the unsubscribe was seen.
    a.add(5)
    await allSynced(a)
    const relaysBefore = a.wire.receivedDocs.filter((d) => d === 3).length
    b2.getMap('scratch').set('unseen', 1)
    b.shards.get(1)?.getMap('scratch').set('seen', 1)
    await waitFor(() => a1.getMap('scratch').get('seen') === 1, 5000, 'shard 1 relay')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(a.wire.receivedDocs.filter((d) => d === 3).length).toBe(relaysBefore)
    expect(a2.getMap('scratch').has('unseen')).toBe(false)
    a.provider.addShard(2, a2)
    await allSynced(a)
    expect(a2.getMap('scratch').get('unseen')).toBe(1)
  })

  test('idle shard rooms are evicted while the root stays live, and load again from their own log', async () => {
    const { server, project } = await serverWithProject({ idleRoomMs: 50 })
    const client = mux(server.url, project.id, project.token)
    const shards = [4, 5, 6].map((i) => client.add(i))
    await allSynced(client)
    shards.forEach((doc, n) => doc.getMap('scratch').set('n', n))
    await waitFor(() => server.metrics.updatesReceived >= 3, 5000, 'edits logged')
    expect(server.rooms.size).toBe(4)
    for (const i of [4, 5, 6]) client.provider.removeShard(i)
    await waitFor(() => server.rooms.size === 1, 5000, 'shard rooms evicted')
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(server.rooms.size).toBe(1)
    expect((await server.rooms.all()).map((r) => r.id)).toEqual([project.id])
    client.root.getMap('scratch').set('still', 'live')
    const other = mux(server.url, project.id, project.token)
    const again = other.add(5)
    await allSynced(other)
    expect(other.root.getMap('scratch').get('still')).toBe('live')
    expect(again.getMap('scratch').get('n')).toBe(1)
  })

  test('a sharded project made by the domain syncs through its rooms, checked as root and shards; a shard may not hold root records', async () => {
    const { server, project } = await serverWithProject()
    const made = S.createShardedProject({ name: 'Made' }, 4)
    const writer = connectMux(server.url, project.id, project.token, made.root)
    cleanup.push(() => writer.provider.destroy())
    made.shards.forEach((doc, i) => writer.add(i, doc))
    // REST creates a schema-1 root; its meta is concurrent with ours, so the sharded schema is written again on top.
    await allSynced(writer)
    D.maps(made.root).meta.set('schema', S.SHARDED_SCHEMA)
    const p = S.shardedProject(made.root, S.memoryShards(made.shards))
    const classId = S.addClass(p, { name: 'cat' })
    const items = await S.addItems(p, Array.from({ length: 12 }, (_, i) => image(`img-${i}.png`)), ann)
    await S.addLabel(p, items[0]!, { classId, bbox: [1, 1, 5, 5] }, ann)
    await allSynced(writer)
    const reader = mux(server.url, project.id, project.token)
    const shards = [0, 1, 2, 3].map((i) => reader.add(i))
    // The writer's own step 2 may still be on its way when the reader syncs: wait for every document whole.
    const same = (x: Y.Doc, y: Y.Doc): boolean => Buffer.from(Y.encodeStateVector(x)).equals(Buffer.from(Y.encodeStateVector(y)))
    await waitFor(() => reader.provider.synced && same(reader.root, made.root) && shards.every((doc, i) => same(doc, made.shards[i]!)), 5000, 'reader has every document')
    expect(shards.reduce((n, doc) => n + D.maps(doc).items.size, 0)).toBe(12)
    expect(await S.readProject(S.shardedProject(reader.root, S.memoryShards(shards)))).toEqual(await S.readProject(p))
    expect(writer.closes).toEqual([])
    // Classes are the root's: a shard room refuses them.
    const raw = await rawSocket(server.url, `/mux/${project.id}?token=${project.token}`)
    const stray = new Y.Doc({ gc: false })
    stray.getMap('classes').set(classId, D.maps(made.root).classes.get(classId))
    raw.ws.send(encodeMessage(2, syncFrame(0, Y.encodeStateVector(new Y.Doc()))))
    raw.ws.send(encodeMessage(2, syncFrame(2, Y.encodeStateAsUpdate(stray))))
    expect(await raw.closed).toMatchObject({ code: 4400, reason: expect.stringMatching(/^invalid record: classes ".*": belongs to the project's root document/) })
  })
})
