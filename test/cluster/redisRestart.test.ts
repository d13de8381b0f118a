import { describe, expect, test } from 'vitest'
import { createProject, waitFor } from '../server/harness.ts'
import { type AppClient, CONVERGE_MS, SLOW, allSynced, peersSeen, sees, useCluster } from './cluster.ts'
import { editContinuously, editedMore, expectNothingLost, sameEverywhere } from './edits.ts'

const cluster = useCluster()

describe('a Redis restart', () => {
  test('edits made while Redis is away and after it comes back empty converge through the log; presence works again', async () => {
    const servers = await Promise.all([cluster.server(), cluster.server(), cluster.server()])
    const { id, token } = await createProject(servers[0]!.url, 'Redis restart')
    const clients = servers.flatMap((s, p) => [0, 1].map((i) => cluster.client(s.url, id, token, `p${p}c${i}`)))
    await allSynced(clients)

    const editing = editContinuously(clients, 7)
    const moreEdits = (what: string): Promise<void> => editedMore(editing.written, 20, what)
    await moreEdits('edits before Redis goes')
    await cluster.services.redis.kill()
    await moreEdits('edits while Redis is away')
    editing.stop()
    // With Redis away, the processes still hear of each other's rows through the log.
    await waitFor(() => sameEverywhere(clients), CONVERGE_MS, 'convergence while Redis is away')
    expectNothingLost(clients, editing.written)

    const resumed = editContinuously(clients, 8, editing.written)
    await cluster.services.restartRedis('kill')
    await moreEdits('edits after Redis came back empty')
    resumed.stop()
    await waitFor(() => sameEverywhere(clients), CONVERGE_MS, 'convergence after the restart')
    expectNothingLost(clients, editing.written)

    // Presence: a change on the first process reaches the others, and a leaver is removed everywhere.
    const [onA, , onB, , onC] = clients as [AppClient, AppClient, AppClient, AppClient, AppClient, AppClient]
    onA.provider.awareness.setLocalStateField('user', { name: onA.name, viewing: 'v2' })
    await waitFor(() => sees(onB, onA.name, 'v2') && sees(onC, onA.name, 'v2'), CONVERGE_MS, 'presence after the restart')
    onC.provider.destroy()
    await waitFor(() => !peersSeen(onA).includes(onC.name) && !peersSeen(onB).includes(onC.name), CONVERGE_MS, 'leaver removed')
    // And a single edit made after the restart still reaches another process.
    onB.doc.getMap('scratch').set('after-redis', 'yes')
    await waitFor(() => onA.doc.getMap('scratch').get('after-redis') === 'yes', CONVERGE_MS, 'an edit after the restart')
  }, SLOW)
})
