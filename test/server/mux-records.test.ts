import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import * as S from '../../src/domain/sharded/index.ts'
import { encodeMessage, shardRoom } from '../../src/wire.ts'
import { ann } from '../domain/helpers.ts'
import { createProject, rawSocket, startTestServer, syncFrame, waitFor } from './harness.ts'

let server: Awaited<ReturnType<typeof startTestServer>>
let project: { id: string, token: string }
beforeAll(async () => {
  server = await startTestServer()
  project = await createProject(server.url, 'Records')
})
afterAll(() => server.close())

const roomOf = (doc: number) => server.rooms.get(doc === 0 ? project.id : shardRoom(project.id, doc - 1))

/** A replica of mux document `doc` as the server holds it now, as another client would have it. */
const replica = async (doc: number): Promise<Y.Doc> => {
  const copy = new Y.Doc({ gc: false })
  Y.applyUpdate(copy, Y.encodeStateAsUpdate((await roomOf(doc)).doc))
  return copy
}

/** Sends what `edit` writes on a replica of mux document `doc` from a raw mux socket: subscribe, then the update. */
const sendEdit = async (doc: number, edit: (replica: Y.Doc) => void) => {
  const local = await replica(doc)
  const before = Y.encodeStateVector(local)
  edit(local)
  const raw = await rawSocket(server.url, `/mux/${project.id}?token=${project.token}`)
  raw.ws.send(encodeMessage(doc, syncFrame(0, Y.encodeStateVector(new Y.Doc()))))
  raw.ws.send(encodeMessage(doc, syncFrame(2, Y.encodeStateAsUpdate(local, before))))
  return raw
}

/** The edit is applied to the room and the socket stays open. */
const accepted = async (doc: number, edit: (replica: Y.Doc) => void, applied: (room: Y.Doc) => boolean): Promise<void> => {
  const raw = await sendEdit(doc, edit)
  const room = (await roomOf(doc)).doc
  await waitFor(() => applied(room), 5000, 'the edit applied')
  raw.ws.close()
}

/** The edit is refused: the socket is closed with 4400 and the reason, and the room is as it was. */
const refused = async (doc: number, edit: (replica: Y.Doc) => void, reason: RegExp): Promise<void> => {
  const before = Buffer.from(Y.encodeStateVector((await roomOf(doc)).doc))
  const raw = await sendEdit(doc, edit)
  expect(await raw.closed).toMatchObject({ code: 4400, reason: expect.stringMatching(reason) })
  expect(Buffer.from(Y.encodeStateVector((await roomOf(doc)).doc))).toEqual(before)
}

const meta = (doc: Y.Doc): Y.Map<unknown> => doc.getMap('meta')

describe('the records that place items are checked, and fixed once set', () => {
  test('a root version naming shard records is checked as a cut', async () => {
    const made = S.createShardedProject({ name: 'Made' }, 4)
    const p = S.shardedProject(made.root, S.memoryShards(made.shards))
    S.addClass(p, { name: 'cat' })
    const v1 = await S.createVersion(p, { name: 'v1' }, ann)
    const cut = D.maps(made.root).versions.get(v1.id) as unknown as Record<string, unknown>
    await refused(0, (r) => r.getMap('versions').set('bad', { ...cut, shards: [1, 2, 3, 4] }), /^invalid record: versions "bad": bad field "shards": must name one record per shard/)
    await accepted(0, (r) => r.getMap('versions').set('good', cut), (room) => room.getMap('versions').has('good'))
  })

  test('the root\'s shard count: set once, then neither changed nor deleted; writing the same value again is fine', async () => {
    await accepted(0, (r) => meta(r).set('shards', 4), (room) => meta(room).get('shards') === 4)
    await refused(0, (r) => meta(r).set('shards', 8), /^invalid record: meta "shards": is 4 and cannot change/)
    await refused(0, (r) => meta(r).delete('shards'), /^invalid record: meta "shards": is 4 and cannot change/)
    let again = 0
    await accepted(0, (r) => {
      again = r.clientID
      meta(r).set('shards', 4)
    }, (room) => Y.getState(room.store, again) > 0)
    expect(meta((await roomOf(0)).doc).get('shards')).toBe(4)
  })

  test('a shard\'s place: its index must be the room\'s, and neither it nor the count changes', async () => {
    await refused(3, (r) => meta(r).set('shard', 5), /^invalid record: meta "shard": bad value: must be 2, the shard this room is/)
    await accepted(3, (r) => r.transact(() => {
      meta(r).set('schema', S.SHARDED_SCHEMA)
      meta(r).set('shard', 2)
      meta(r).set('of', 4)
    }), (room) => meta(room).get('of') === 4)
    await refused(3, (r) => meta(r).set('of', 8), /^invalid record: meta "of": is 4 and cannot change/)
    await refused(3, (r) => meta(r).delete('shard'), /^invalid record: meta "shard": is 2 and cannot change/)
  })
})
