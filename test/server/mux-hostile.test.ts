import { randomBytes } from 'node:crypto'
import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { PART_BYTES, encodeMessage, encodeUnsubscribe } from '../../src/wire.ts'
import { createProject, issueToken, rawSocket, startTestServer, syncFrame, updateSetting, waitFor } from './harness.ts'
import { type MuxClient, connectMux } from './muxHarness.ts'

/** The reassembly cap of this server's editors: small, so its byte cap is reached with a few parts. */
const MAX_MESSAGE = 4 * 1024 * 1024
const PEOPLE = 20
const SHARDS = 4

let server: Awaited<ReturnType<typeof startTestServer>>
let project: { id: string, token: string }
let editor: string
let crowd: MuxClient[]
beforeAll(async () => {
  server = await startTestServer(undefined, { maxMessageBytes: MAX_MESSAGE, idleRoomMs: 200 })
  project = await createProject(server.url, 'Team')
  editor = (await issueToken(server.url, project.id, project.token, 'editor')).token
  crowd = await Promise.all(Array.from({ length: PEOPLE }, async (_, i) => {
    const token = i % 2 === 0 ? editor : (await issueToken(server.url, project.id, project.token, 'editor')).token
    const c = connectMux(server.url, project.id, token)
    c.provider.awareness.setLocalStateField('user', { name: `Person ${i}` })
    c.add(i % SHARDS)
    return c
  }))
  await waitFor(() => crowd.every((c) => c.provider.synced && c.provider.awareness.getStates().size === PEOPLE), 15_000, 'the crowd is in, and sees everyone')
}, 30_000)
afterAll(async () => {
  for (const c of crowd) c.provider.destroy()
  await server.close()
})

const part = (doc: number, stream: number, index: number, count: number, bytes: Uint8Array): Uint8Array => {
  const e = encoding.createEncoder()
  for (const n of [1, doc, stream, index, count]) encoding.writeVarUint(e, n)
  encoding.writeUint8Array(e, bytes)
  return encoding.toUint8Array(e)
}
const full = (): Uint8Array => new Uint8Array(PART_BYTES)
const step1 = (doc: number): Uint8Array => encodeMessage(doc, syncFrame(0, Y.encodeStateVector(new Y.Doc())))

/** A raw mux socket that sends `frames` and answers how it was closed. */
const hostile = async (frames: Uint8Array[]) => {
  const raw = await rawSocket(server.url, `/mux/${project.id}?token=${editor}`)
  for (const f of frames) raw.ws.send(f)
  return raw.closed
}

describe('a hostile mux client is closed with a reason; the crowd beside it keeps working', () => {
  test('frames the protocol does not have', async () => {
    expect(await hostile([new Uint8Array([9, 0])])).toMatchObject({ code: 4400, reason: 'unknown mux frame tag 9' })
    expect(await hostile([new Uint8Array([3, 0])])).toMatchObject({ code: 4400, reason: 'a mux subscribed frame is the server\'s to send' })
    expect(await hostile([step1(1025)])).toMatchObject({ code: 4400, reason: expect.stringMatching(/^mux document 1025 out of range/) })
    expect(await hostile([new Uint8Array([0])])).toMatchObject({ code: 4400, reason: 'malformed or truncated mux frame' })
    expect(await hostile([encodeMessage(3, syncFrame(2, updateSetting('k', 1)))])).toMatchObject({ code: 4400, reason: expect.stringMatching(/not subscribed: its first message must be sync step 1/) })
    expect(await hostile([step1(2), encodeMessage(2, new Uint8Array([1, 1, 0]))])).toMatchObject({ code: 4400, reason: expect.stringMatching(/presence lives on the root/) })
    expect(await hostile([new Uint8Array(MAX_MESSAGE / 2)])).toMatchObject({ code: 4413, reason: expect.stringMatching(/over 1048576 bytes: send it in parts/) })
  })

  test('part count lies, parts out of order, endless parts', async () => {
    expect(await hostile([part(0, 1, 0, 100_000, full())])).toMatchObject({ code: 4413, reason: expect.stringMatching(/100000 parts is over the 4194304 bytes allowed/) })
    expect(await hostile([part(0, 1, 0, 3, full()), part(0, 1, 1, 4, full())])).toMatchObject({ code: 4400, reason: expect.stringMatching(/changed its document or part count/) })
    expect(await hostile([part(0, 1, 0, 3, full()), part(0, 1, 2, 3, full())])).toMatchObject({ code: 4400, reason: expect.stringMatching(/out of order \(expected 1\)/) })
    expect(await hostile([part(0, 1, 0, 3, full().subarray(1))])).toMatchObject({ code: 4400, reason: expect.stringMatching(/every part but the last holds/) })
    // A whole message in parts is applied; a part past its count starts nothing.
    const message = syncFrame(2, updateSetting('in parts', randomBytes(PART_BYTES).toString('hex')))
    const frames = [0, 1, 2].map((i) => part(0, 7, i, 3, message.subarray(i * PART_BYTES, (i + 1) * PART_BYTES)))
    expect(await hostile([step1(0), ...frames, part(0, 7, 3, 3, full())])).toMatchObject({ code: 4400, reason: expect.stringMatching(/part 3 of stream 7, which has not started/) })
    await waitFor(() => crowd.every((c) => typeof c.root.getMap('scratch').get('in parts') === 'string'), 10_000, 'the multipart edit reaches the crowd')
  })

  test('parts of streams never finished hold at most two streams and the byte cap', async () => {
    expect(await hostile([part(0, 1, 0, 3, full()), part(1, 2, 0, 3, full()), part(2, 3, 0, 3, full())]))
      .toMatchObject({ code: 4413, reason: 'more than 2 multipart messages in progress at once' })
    const first = [0, 1, 2].map((i) => part(0, 1, i, 4, full()))
    expect(await hostile([...first, part(0, 2, 0, 4, full()), part(0, 2, 1, 4, full())]))
      .toMatchObject({ code: 4413, reason: 'multipart messages in progress over the 4194304 bytes allowed' })
  })

  test('a subscription flood hits the rate cap, and its rooms do not stay', async () => {
    const flood = Array.from({ length: 6000 }, (_, i) => [step1(1 + (i % 1024)), encodeUnsubscribe(1 + (i % 1024))]).flat()
    expect(await hostile(flood)).toMatchObject({ code: 4429, reason: 'rate limit: too many messages' })
    await waitFor(() => server.rooms.size === 1 + SHARDS, 10_000, 'only the crowd’s rooms stay')
  })

  test('after it all, the crowd is connected, sees everyone, and every edit reaches everyone', async () => {
    for (const [i, c] of crowd.entries()) {
      c.root.getMap('scratch').set(`person ${i}`, i)
      c.shards.get(i % SHARDS)?.getMap('scratch').set(`person ${i}`, i)
      c.provider.awareness.setLocalStateField('user', { name: `Person ${i}`, viewing: 'Latest' })
    }
    const shardKeys = (s: number): number => crowd.filter((_, i) => i % SHARDS === s).length
    await waitFor(() => crowd.every((c, i) => [...c.root.getMap('scratch').keys()].filter((k) => k.startsWith('person')).length === PEOPLE
      && c.shards.get(i % SHARDS)?.getMap('scratch').size === shardKeys(i % SHARDS)), 15_000, 'every edit everywhere')
    expect(crowd.flatMap((c) => c.closes)).toEqual([])
    expect(crowd.every((c) => c.provider.wsconnected && c.provider.awareness.getStates().size === PEOPLE)).toBe(true)
    const room = await server.rooms.get(project.id)
    expect(room.awareness.getStates().size).toBe(PEOPLE)
  })
})
