import { describe, expect, test } from 'vitest'
import { Close } from '../../src/wire.ts'
import { createProject, waitFor } from '../server/harness.ts'
import { CONVERGE_MS, SLOW, allSynced, crashIn, healthy, useCluster } from './cluster.ts'
import { editContinuously, editedMore, expectAllWritten, expectNothingLost, sameEverywhere } from './edits.ts'

const cluster = useCluster()

/** What the server tells a client whose edit it could not log. */
const NOT_SAVED = /the edit was not saved/

describe.each(['kill', 'stop'] as const)('PostgreSQL restarted (%s) mid-edit', (how) => {
  test('every process stays up, edits that failed to log are resent, nothing is lost, and a fresh process loads it all', async () => {
    const servers = await Promise.all([cluster.server(), cluster.server(), cluster.server()])
    const { id, token } = await createProject(servers[0]!.url, `PostgreSQL ${how}`)
    const clients = servers.flatMap((s, p) => [0, 1].map((i) => cluster.client(s.url, id, token, `p${p}c${i}`)))
    await allSynced(clients)

    const editing = editContinuously(clients, how === 'kill' ? 21 : 22)
    await editedMore(editing.written, 20, 'edits before the restart')
    await cluster.services.restartPostgres(how)
    await editedMore(editing.written, 20, 'edits after the restart')
    editing.stop()
    await waitFor(() => sameEverywhere(clients), CONVERGE_MS, 'convergence after the restart')
    expectNothingLost(clients, editing.written)

    // Edits were made while PostgreSQL was away: their senders were told so, and resent them (above).
    const refused = clients.flatMap((c) => c.closes).filter((c) => c.code === Close.STORAGE_ERROR && NOT_SAVED.test(c.reason))
    expect(refused.length).toBeGreaterThan(0)
    expect(servers.flatMap((s) => s.log).some((line) => /could not log an update/.test(line))).toBe(true)
    for (const s of servers) {
      expect(await healthy(s), `${s.url} still answers`).toBe(true)
      expect(crashIn(s), `${s.url} logged no crash`).toEqual([])
    }

    for (const c of clients) c.provider.disconnect()
    const reader = await cluster.loadFresh(id, token)
    expect(sameEverywhere([reader, clients[0]!])).toBe(true)
    expectAllWritten(reader.doc, editing.written)
  }, SLOW)
})
