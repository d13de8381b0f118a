import { describe, expect, test } from 'vitest'
import { createProject, waitFor } from '../server/harness.ts'
import { type AppClient, CONVERGE_MS, SLOW, allSynced, peersSeen, useCluster } from './cluster.ts'
import { editContinuously, expectNothingLost, sameEverywhere } from './edits.ts'

const cluster = useCluster()

describe('three processes', () => {
  test('clients on three processes, and one on a process that joins mid-edit, converge with every edit; presence crosses processes', async () => {
    const servers = await Promise.all([cluster.server(), cluster.server(), cluster.server()])
    const { id, token } = await createProject(servers[0]!.url, 'Converge')
    const clients: AppClient[] = servers.flatMap((s, p) => [0, 1, 2].map((i) => cluster.client(s.url, id, token, `p${p}c${i}`)))
    await allSynced(clients)

    const editing = editContinuously(clients, 12)
    await waitFor(() => editing.written.every((w) => w.edits >= 20), CONVERGE_MS, 'twenty edits each')
    // A fourth process loads the room from the log while the others keep appending to it.
    const late = cluster.client((await cluster.server()).url, id, token, 'late')
    await allSynced([late])
    const lateEditing = editContinuously([late], 13)
    await waitFor(() => editing.written.every((w) => w.edits >= 40) && lateEditing.written[0]!.edits >= 20, CONVERGE_MS, 'more edits')
    editing.stop()
    lateEditing.stop()
    await waitFor(() => sameEverywhere([...clients, late]), CONVERGE_MS, 'convergence')
    expectNothingLost([...clients, late], [...editing.written, ...lateEditing.written])
    // Each saw the other processes' edits through the server, not only its own.
    for (const c of clients) expect(c.received.length).toBeGreaterThan(0)

    const everyone = [...clients, late]
    const others = (c: AppClient): string[] => everyone.map((o) => o.name).filter((n) => n !== c.name).sort()
    await waitFor(() => everyone.every((c) => peersSeen(c).join() === others(c).join()), CONVERGE_MS, 'everyone sees everyone')
    const leaving = clients[0]!
    leaving.provider.destroy()
    const staying = everyone.slice(1)
    await waitFor(() => staying.every((c) => !peersSeen(c).includes(leaving.name)), CONVERGE_MS, 'presence removed on every process')
    for (const c of staying) expect(peersSeen(c)).toEqual(others(c).filter((n) => n !== leaving.name))
  }, SLOW)
})
