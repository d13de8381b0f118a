import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { createProject, waitFor } from '../server/harness.ts'
import { startBalancer } from './balancer.ts'
import { type AppClient, CONVERGE_MS, SLOW, allSynced, peersSeen, useCluster } from './cluster.ts'
import { editContinuously, expectAllWritten, expectNothingLost, holdsAll, sameEverywhere } from './edits.ts'

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
    await waitFor(() => editing.written.every((w) => w.edits >= 20), CONVERGE_MS, 'edits before the kill')
    await victim.kill9()
    const seenBeforeKill = clients.flatMap((c) => [...c.received])
    const madeAtKill = editing.written.map((w) => w.edits)
    const routesBefore = balancer.routed.length

    await waitFor(() => victims.every((c) => c.closes.length > 0 && c.provider.wsconnected && c.provider.synced), CONVERGE_MS, 'victims back')
    expect(balancer.routed.slice(routesBefore)).not.toContain(victim.url)
    await waitFor(() => editing.written.every((w, i) => w.edits >= madeAtKill[i]! + 20), CONVERGE_MS, 'edits after the kill')
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
    const fresh = await cluster.server()
    const reader = cluster.client(fresh.url, id, token, 'reader')
    await allSynced([reader])
    expect(sameEverywhere([reader, { doc: final }])).toBe(true)
    expectAllWritten(reader.doc, editing.written)
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
