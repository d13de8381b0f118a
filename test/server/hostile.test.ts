import path from 'node:path'
import * as encoding from 'lib0/encoding'
import { afterEach, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { findRecordProblem } from '../../sync-server/records.ts'
import { openSqliteStorage } from '../../sync-server/storage/sqlite.ts'
import {
  type Client, connectClient, createProject, issueToken, rawSocket, startTestServer, synced, syncFrame, tempDir, waitFor,
} from './harness.ts'

/** A valid class record, as the app writes it. */
const classRecord = (): unknown => {
  const doc = D.createProject({ name: 'x' })
  const id = D.addClass(doc, { name: 'cat' })
  return D.maps(doc).classes.get(id)
}

/**
 * An update that decodes and holds only valid records, but that Yjs cannot integrate: its
 * first struct's origin is the client's own next struct.
 */
const unappliable = (key: string): Uint8Array => {
  const classes = new Y.Doc().getMap('classes')
  const client = 987_654
  const record = classRecord()
  const first = new Y.Item(Y.createID(client, 0), null, Y.createID(client, 1), null, null, null, null, new Y.ContentAny([record]))
  const next = new Y.Item(Y.createID(client, 1), null, null, null, null, classes as unknown as Y.AbstractType<unknown>, key, new Y.ContentAny([record]))
  const encoder = new Y.UpdateEncoderV1()
  encoding.writeVarUint(encoder.restEncoder, 1)
  encoding.writeVarUint(encoder.restEncoder, 2)
  encoder.writeClient(client)
  encoding.writeVarUint(encoder.restEncoder, 0)
  first.write(encoder, 0)
  next.write(encoder, 0)
  encoding.writeVarUint(encoder.restEncoder, 0)
  return encoder.toUint8Array()
}

/** An awareness message naming `count` clients, each with a tiny state. */
const awarenessFlood = (count: number, firstId = 1): Uint8Array => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1)
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, count)
  for (let i = 0; i < count; i++) {
    encoding.writeVarUint(inner, firstId + i)
    encoding.writeVarUint(inner, 1)
    encoding.writeVarString(inner, '{}')
  }
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
  return encoding.toUint8Array(e)
}

const open: Array<{ close: () => Promise<void> } | Client> = []
afterEach(async () => {
  for (const x of open.splice(0)) 'provider' in x ? x.provider.destroy() : await x.close()
})

/** A fresh server with one project, and a token of `role` for it. */
const serverWithProject = async (role: 'editor' | 'viewer' = 'editor') => {
  const server = await startTestServer()
  open.push(server)
  const project = await createProject(server.url, 'P')
  const token = (await issueToken(server.url, project.id, project.token, role)).token
  return { server, project, token }
}

describe('hostile but well-formed input', () => {
  test("the crafted update is one Yjs throws on, and the server's check names it", () => {
    const update = unappliable('k1')
    expect(() => Y.applyUpdate(new Y.Doc({ gc: false }), update)).toThrow()
    expect(findRecordProblem(new Y.Doc({ gc: false }), update)).toMatch(/later one of its own client/)
  })

  test('an update Yjs cannot apply is refused with 4400, and the project keeps serving', async () => {
    const { server, project, token: editor } = await serverWithProject()
    const raw = await rawSocket(server.url, `/sync/${project.id}?token=${editor}`)
    raw.ws.send(syncFrame(2, unappliable('k1')))
    expect(await raw.closed).toMatchObject({ code: 4400, reason: expect.stringMatching(/later one of its own client/) })
    const owner = connectClient(server.url, project.id, project.token)
    open.push(owner)
    await synced(owner)
    D.addClass(owner.doc, { name: 'dog' })
    const fresh = connectClient(server.url, project.id, editor)
    open.push(fresh)
    await synced(fresh)
    await waitFor(() => D.maps(fresh.doc).classes.size === 1, 5000, 'the good edit reaches a fresh client')
  })

  test('a stored row Yjs cannot apply is skipped with a log line; the rest of the project loads', async () => {
    const dataDir = tempDir()
    const storage = openSqliteStorage(path.join(dataDir, 'strata.sqlite'))
    const server = await startTestServer(dataDir, { idleRoomMs: 50 }, storage)
    open.push(server)
    const project = await createProject(server.url, 'P')
    const writer = connectClient(server.url, project.id, project.token)
    await synced(writer)
    D.addClass(writer.doc, { name: 'before' })
    await waitFor(() => server.metrics.updatesReceived >= 1, 5000, 'first edit logged')
    writer.provider.destroy()
    await waitFor(() => server.rooms.size === 0, 10_000, 'room evicted')
    // As a log written by an older server that did not check would hold it.
    await storage.appendUpdate(project.id, unappliable('k2'))
    const reader = connectClient(server.url, project.id, project.token)
    open.push(reader)
    await synced(reader)
    expect(D.readProject(reader.doc).classes.map((c) => c.name)).toEqual(['before'])
    expect(reader.closes).toEqual([])
    expect(server.logs.some((l) => /skipped log row \d+, it cannot be applied/.test(l))).toBe(true)
  })

  test('presence floods are refused: many clients in one message, or one at a time on one connection', async () => {
    const { server, project, token: viewer } = await serverWithProject('viewer')
    const many = await rawSocket(server.url, `/sync/${project.id}?token=${viewer}`)
    many.ws.send(awarenessFlood(100_000))
    expect(await many.closed).toMatchObject({ code: 4413, reason: expect.stringMatching(/awareness update for 100000 clients, more than the \d+ this room allows/) })
    const drip = await rawSocket(server.url, `/sync/${project.id}?token=${viewer}`)
    for (let i = 0; i < 20; i++) drip.ws.send(awarenessFlood(1, 1_000 + i))
    expect(await drip.closed).toMatchObject({ code: 4413, reason: expect.stringMatching(/may originate at most 8 client ids/) })
    const room = await server.rooms.get(project.id)
    expect(room.awareness.meta.size).toBeLessThanOrEqual(16)
    // A well-behaved client still joins and sees nobody left over.
    const owner = connectClient(server.url, project.id, project.token)
    open.push(owner)
    await synced(owner)
    expect([...room.awareness.getStates().keys()].filter((id) => id !== owner.doc.clientID)).toEqual([])
  })

  test('an edit followed in the same breath by a bad frame is saved; only the bad frame closes the connection', async () => {
    const { server, project, token: editor } = await serverWithProject()
    const doc = D.createProject({ name: 'P' })
    const classId = D.addClass(doc, { name: 'kept' })
    const raw = await rawSocket(server.url, `/sync/${project.id}?token=${editor}`)
    raw.ws.send(syncFrame(1, Y.encodeStateAsUpdate(doc)))
    raw.ws.send('not a protocol frame')
    expect(await raw.closed).toMatchObject({ code: 4400 })
    await waitFor(() => server.metrics.updatesReceived >= 1, 5000, 'the edit is applied')
    const room = await server.rooms.get(project.id)
    expect(D.readProject(room.doc).classes.map((c) => c.id)).toEqual([classId])
  })

  test('before its step 2, an edit that builds on offline work is dropped, not refused; the step 2 brings it', async () => {
    const server = await startTestServer()
    open.push(server)
    const project = await createProject(server.url, 'P')
    const offline = D.createProject({ name: 'P' })
    const classId = D.addClass(offline, { name: 'made offline' })
    const before = Y.encodeStateVector(offline)
    D.updateClass(offline, classId, { name: 'renamed offline' })
    const rename = Y.encodeStateAsUpdate(offline, before)
    expect(findRecordProblem(new Y.Doc({ gc: false }), rename)).toMatch(/does not have/)
    const raw = await rawSocket(server.url, `/sync/${project.id}?token=${project.token}`)
    raw.ws.send(syncFrame(2, rename))
    raw.ws.send(syncFrame(1, Y.encodeStateAsUpdate(offline)))
    await waitFor(() => server.metrics.updatesReceived >= 1, 5000, 'the step 2 is applied')
    const room = await server.rooms.get(project.id)
    expect(D.readProject(room.doc).classes.find((c) => c.id === classId)).toMatchObject({ name: 'renamed offline' })
    // Once synced, the same kind of update is a broken client: refused.
    raw.ws.send(syncFrame(2, updateAfterMissing()))
    expect(await raw.closed).toMatchObject({ code: 4400 })
  })
})

/** An overwrite of a class this server never saw. */
const updateAfterMissing = (): Uint8Array => {
  const doc = D.createProject({ name: 'Q' })
  const classId = D.addClass(doc, { name: 'a' })
  const sv = Y.encodeStateVector(doc)
  D.updateClass(doc, classId, { name: 'b' })
  return Y.encodeStateAsUpdate(doc, sv)
}
