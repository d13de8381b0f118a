import pg from 'pg'
import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { openPostgresStorage } from '../../sync-server/storage/postgres.ts'
import type { LogRow } from '../../sync-server/storage/types.ts'
import { createProject, waitFor } from '../server/harness.ts'
import { CONVERGE_MS, SLOW, allSynced, metricOf, troubleIn, useCluster } from './cluster.ts'
import { editContinuously, editedMore, expectAllWritten, expectNothingLost, sameEverywhere } from './edits.ts'

const cluster = useCluster()

/** The room's log as PostgreSQL holds it, read the way a server reads it. */
const logOf = async (databaseUrl: string, room: string): Promise<LogRow[]> => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
  try {
    return await (await openPostgresStorage(pool)).readLog(room)
  } finally {
    await pool.end()
  }
}

describe('compaction alongside appends on every process', () => {
  test('processes compacting every 20 rows while clients on all of them edit lose nothing, and the log replays to the same document', async () => {
    const env = { STRATA_COMPACT_AFTER: '20' }
    const servers = await Promise.all([cluster.server(env), cluster.server(env), cluster.server(env)])
    const { id, token } = await createProject(servers[0]!.url, 'Compaction')
    const clients = servers.flatMap((s, p) => [0, 1].map((i) => cluster.client(s.url, id, token, `p${p}c${i}`)))
    await allSynced(clients)

    const editing = editContinuously(clients, 31)
    await editedMore(editing.written, 100, 'edits while compacting')
    editing.stop()
    await waitFor(() => sameEverywhere(clients), CONVERGE_MS, 'convergence')
    expectNothingLost(clients, editing.written)

    const rows = await logOf(cluster.services.databaseUrl, id)
    const made = clients.reduce((n, c) => n + c.made.length, 0)
    // Compaction ran: the log holds far fewer rows than edits were made.
    expect(rows.length).toBeLessThan(made / 4)
    const replayed = new Y.Doc({ gc: false })
    for (const row of rows) Y.applyUpdate(replayed, row.data)
    expect(sameEverywhere([{ doc: replayed }, clients[0]!])).toBe(true)
    expect(replayed.store.pendingStructs).toBeNull()

    for (const s of servers) {
      expect(troubleIn(s), `${s.url} logged no error`).toEqual([])
      expect(await metricOf(s, 'strata_storage_errors_total')).toBe(0)
    }
    for (const c of clients) c.provider.disconnect()
    const reader = await cluster.loadFresh(id, token)
    expect(sameEverywhere([reader, { doc: replayed }])).toBe(true)
    expectAllWritten(reader.doc, editing.written)
  }, SLOW)
})
