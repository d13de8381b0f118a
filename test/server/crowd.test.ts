import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import { afterEach, describe, expect, test } from 'vitest'
import * as D from '../../src/domain/index.ts'
import {
  type Client, connectClient, createProject, issueToken, rawSocket, startTestServer, synced, waitFor,
} from './harness.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

/** A stock client with presence on, as the app publishes it. */
const person = (base: string, projectId: string, token: string, name: string): Client => {
  const client = connectClient(base, projectId, token)
  client.provider.awareness.setLocalStateField('user', { name, viewing: 'Latest' })
  cleanup.push(() => client.provider.destroy())
  return client
}

/** What a client's presence list shows: the names of everyone with a user state. */
const names = (c: Client): string[] => [...c.provider.awareness.getStates().values()]
  .map((s) => (s.user as { name?: string } | undefined)?.name ?? '').filter((n) => n !== '').sort()

/** An awareness message with one entry per id, each a small user state. */
const presenceOf = (ids: number[], clock = 1, state: unknown = { user: { name: 'Ghost' } }): Uint8Array => {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, ids.length)
  for (const id of ids) {
    encoding.writeVarUint(inner, id)
    encoding.writeVarUint(inner, clock)
    encoding.writeVarString(inner, JSON.stringify(state))
  }
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
  return encoding.toUint8Array(e)
}

const PEOPLE = 24

/** A project with PEOPLE people in it: half share one invite link's token, half have their own. */
const crowd = async () => {
  const server = await startTestServer()
  cleanup.push(() => server.close())
  const project = await createProject(server.url, 'Team')
  const shared = (await issueToken(server.url, project.id, project.token, 'editor')).token
  const tokens = await Promise.all(Array.from({ length: PEOPLE }, async (_, i) =>
    i % 2 === 0 ? shared : (await issueToken(server.url, project.id, project.token, 'editor')).token))
  const people = tokens.map((token, i) => person(server.url, project.id, token, `Person ${String(i).padStart(2, '0')}`))
  await Promise.all(people.map((p) => synced(p)))
  const everyone = people.map((_, i) => `Person ${String(i).padStart(2, '0')}`).sort()
  await waitFor(() => people.every((p) => names(p).join() === everyone.join()), 15_000, 'everyone sees everyone')
  return { server, project, people, everyone }
}

describe('a team in one room, with presence on', () => {
  test(`${PEOPLE} stock clients stay connected, see all ${PEOPLE} present, and receive every edit`, async () => {
    const { server, project, people, everyone } = await crowd()
    for (let round = 0; round < 3; round++) {
      for (const [i, p] of people.entries()) {
        D.addClass(p.doc, { name: `class ${i}.${round}` })
        // What y-protocols does every 15 s: the same state again, under a new clock.
        p.provider.awareness.setLocalState({ ...p.provider.awareness.getLocalState() })
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const expected = PEOPLE * 3
    await waitFor(() => people.every((p) => D.maps(p.doc).classes.size === expected), 20_000, 'every edit reaches every peer')
    expect(people.flatMap((p) => p.closes)).toEqual([])
    expect(people.every((p) => p.provider.wsconnected)).toBe(true)
    for (const p of people) expect(names(p)).toEqual(everyone)
    expect((await server.rooms.get(project.id)).awareness.getStates().size).toBe(PEOPLE)
  })

  test('a connection that claims many client ids of its own is refused; the team keeps its presence', async () => {
    const { server, project, people, everyone } = await crowd()
    const editor = (await issueToken(server.url, project.id, project.token, 'editor')).token
    const hostile = await rawSocket(server.url, `/sync/${project.id}?token=${editor}`)
    for (let i = 0; i < 20; i++) hostile.ws.send(presenceOf([900_000 + i]))
    expect(await hostile.closed).toMatchObject({ code: 4413, reason: expect.stringMatching(/may originate at most 8 client ids/) })
    // What it brought before the cap leaves with it.
    await waitFor(() => people.every((p) => names(p).join() === everyone.join()), 10_000, 'ghosts removed')
    D.addClass(people[0]!.doc, { name: 'after the flood' })
    await waitFor(() => people.every((p) => D.maps(p.doc).classes.size === 1), 10_000, 'edits still flow')
    expect(people.flatMap((p) => p.closes)).toEqual([])
  })

  test("another token cannot overwrite or remove someone's presence", async () => {
    const { server, project, people, everyone } = await crowd()
    const victim = people[1]!
    const other = (await issueToken(server.url, project.id, project.token, 'editor')).token
    const spoofer = await rawSocket(server.url, `/sync/${project.id}?token=${other}`)
    const clock = 1_000
    spoofer.ws.send(presenceOf([victim.doc.clientID], clock, { user: { name: 'Impostor' } }))
    spoofer.ws.send(presenceOf([victim.doc.clientID], clock + 1, null))
    // A marker after the spoof: once it is seen, the spoof has been handled.
    spoofer.ws.send(presenceOf([777_777], 1, { user: { name: 'Marker' } }))
    await waitFor(() => people.every((p) => names(p).includes('Marker')), 10_000, 'the marker arrives')
    for (const p of people) expect(names(p)).toEqual([...everyone, 'Marker'].sort())
    expect(spoofer.ws.readyState).toBe(spoofer.ws.OPEN)
  })
})

describe('a room whose presence the server times out all at once', () => {
  test('70 clients echo a removal naming all of them, none is closed, and presence comes back', async () => {
    const server = await startTestServer()
    cleanup.push(() => server.close())
    const project = await createProject(server.url, 'Stalled')
    const people = Array.from({ length: 70 }, (_, i) => person(server.url, project.id, project.token, `P${String(i).padStart(2, '0')}`))
    await Promise.all(people.map((p) => synced(p, 20_000)))
    const room = await server.rooms.get(project.id)
    await waitFor(() => room.awareness.getStates().size === 70, 20_000, 'everyone present')
    // What y-protocols does to presence not renewed for 30 s, for everyone at once.
    awarenessProtocol.removeAwarenessStates(room.awareness, [...room.awareness.getStates().keys()], 'timeout')
    // Each client restores its own presence when told it was removed, and echoes the removal of the others.
    await waitFor(() => room.awareness.getStates().size === 70 && people.every((p) => names(p).length === 70), 20_000, 'presence restored')
    expect(people.flatMap((p) => p.closes)).toEqual([])
    expect(people.every((p) => p.provider.wsconnected)).toBe(true)
  }, 60_000)
})
