import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { createProject, waitFor } from '../server/harness.ts'
import { startBalancer } from './balancer.ts'
import { type AppClient, CONVERGE_MS, SLOW, allSynced, peersSeen, useCluster } from './cluster.ts'
import { editContinuously, editedMore, expectAllWritten, expectNothingLost, holdsAll, sameEverywhere } from './edits.ts'

const cluster = useCluster()

describe('kill -9 of one process mid-edit', () => {
  test('its clients reconnect through the balancer, nothing relayed is lost, and a fresh process loads it all from PostgreSQL', async () => {
    const servers = await Promise.all([cluster.server(), cluster.server(), cluster.server()])
    const balancer = await startBalancer(servers.map((s) => s.url))
    cluster.defer(() => balancer.close())
    const { id, token } = await createProject(balancer.url, 'Crash')
    // One at a time, so that the balancer's round-robin tells which process each client is on.
    const clients: AppClient[] = []
    for (let i = 0; i < 6; i++) {
      const before = balancer.routed.length
      clients.push(cluster.client(balancer.url, id, token, `c${i}`))
      await allSynced(clients)
      expect(balancer.routed.length).toBe(before + 1)
    }
    const routedTo = [...balancer.routed.slice(-clients.length)]
    const victim = servers[0]!
    const victims = clients.filter((_, i) => routedTo[i] === victim.url)
    expect(victims.length).toBe(2)

    const editing = editContinuously(clients, 3)
    await editedMore(editing.written, 20, 'edits before the kill')
    await victim.kill9()
    const seenBeforeKill = clients.flatMap((c) => [...c.received])
    const afterKill = editedMore(editing.written, 20, 'edits after the kill')
    const routesBefore = balancer.routed.length

    await waitFor(() => victims.every((c) => c.closes.length > 0 && c.provider.wsconnected && c.provider.synced), CONVERGE_MS, 'victims back')
    expect(balancer.routed.slice(routesBefore)).not.toContain(victim.url)
    await afterKill
    editing.stop()
    await waitFor(() => sameEverywhere(clients), CONVERGE_MS, 'convergence after the kill')
    expectNothingLost(clients, editing.written)
    expect(seenBeforeKill.length).toBeGreaterThan(0)
    for (const c of clients) expect(holdsAll(c.doc, seenBeforeKill), `${c.name} holds what was relayed before the kill`).toBe(true)

    // With every process gone, a fresh one has only PostgreSQL to load from.
    const final = new Y.Doc({ gc: false })
    Y.applyUpdate(final, Y.encodeStateAsUpdate(clients[0]!.doc))
    for (const c of clients) c.provider.disconnect()
    await Promise.all(servers.slice(1).map((s) => s.stop()))
    const reader = await cluster.loadFresh(id, token)
    expect(sameEverywhere([reader, { doc: final }])).toBe(true)
    expectAllWritten(reader.doc, editing.written)
  }, SLOW)

  test('with its clients gone for good, what the survivors had been relayed is still theirs, and in PostgreSQL', async () => {
    const servers = await Promise.all([cluster.server(), cluster.server(), cluster.server()])
    const { id, token } = await createProject(servers[0]!.url, 'Crash, no help')
    const clients = servers.flatMap((s, p) => [0, 1].map((i) => cluster.client(s.url, id, token, `p${p}c${i}`)))
    await allSynced(clients)
    const [victim] = servers
    const victims = clients.slice(0, 2)
    const survivors = clients.slice(2)

    const theirs = editContinuously(victims, 11)
    const ours = editContinuously(survivors, 12)
    await editedMore([...theirs.written, ...ours.written], 20, 'edits before the kill')
    // The test means something only if rows logged by the victim reached the survivors through it.
    await waitFor(() => survivors.every((c) => victims.every((v) => holdsAll(c.doc, v.made.slice(0, 10)))), CONVERGE_MS, 'the victims\' edits relayed')
    await victim!.kill9()
    theirs.stop()
    // Their tabs closed while the process was dead: they will never resend their state.
    for (const v of victims) v.provider.destroy()
    const seenBeforeKill = survivors.flatMap((c) => [...c.received])

    await editedMore(ours.written, 20, 'edits after the kill')
    ours.stop()
    await waitFor(() => sameEverywhere(survivors), CONVERGE_MS, 'convergence after the kill')
    for (const c of survivors) {
      expect(holdsAll(c.doc, seenBeforeKill), `${c.name} holds what was relayed to the survivors before the kill`).toBe(true)
      for (const author of survivors) expect(holdsAll(c.doc, author.made), `${c.name} holds ${author.name}'s updates`).toBe(true)
    }

    const final = new Y.Doc({ gc: false })
    Y.applyUpdate(final, Y.encodeStateAsUpdate(survivors[0]!.doc))
    for (const c of survivors) c.provider.disconnect()
    const reader = await cluster.loadFresh(id, token)
    expect(holdsAll(reader.doc, seenBeforeKill), 'the log holds what was relayed before the kill').toBe(true)
    expect(sameEverywhere([reader, { doc: final }])).toBe(true)
  }, SLOW)

  test('the presence of a client whose process was killed, and which does not come back, goes away on the others', async () => {
    const [a, b] = await Promise.all([cluster.server(), cluster.server()])
    const { id, token } = await createProject(a!.url, 'Ghosts')
    const gone = cluster.client(a!.url, id, token, 'gone')
    const observer = cluster.client(b!.url, id, token, 'observer')
    await allSynced([gone, observer])
    await waitFor(() => peersSeen(observer).includes('gone'), CONVERGE_MS, 'presence across processes')
    await a!.kill9()
    // Its tab closed while the process was dead: nobody will ever send its removal.
    gone.provider.destroy()
    await waitFor(() => !peersSeen(observer).includes('gone'), CONVERGE_MS, 'the ghost removed')
    expect(peersSeen(observer)).toEqual([])
  }, SLOW)
})
