import { describe, test } from 'vitest'
import { createProject, waitFor } from '../server/harness.ts'
import { startBalancer } from './balancer.ts'
import { type AppClient, CONVERGE_MS, SLOW, allSynced, useCluster } from './cluster.ts'
import { editContinuously, editedMore, expectNothingLost, sameEverywhere } from './edits.ts'

const cluster = useCluster()

/** Reads the log every second (the default is ten): what these tests wait for comes sooner. */
const CATCH_UP = { STRATA_CATCHUP_MS: '1000' }

/**
 * Three processes, the first reaching Redis through a proxy that can be stalled: its rows are
 * still logged in PostgreSQL, but from the stall on, its relays never reach Redis.
 */
const cutOffCluster = async (name: string) => {
  const redisProxy = await startBalancer([cluster.services.redisUrl])
  cluster.defer(() => redisProxy.close())
  const cut = await cluster.server({ ...CATCH_UP, STRATA_REDIS_URL: redisProxy.url.replace(/^http/, 'redis') })
  const others = await Promise.all([cluster.server(CATCH_UP), cluster.server(CATCH_UP)])
  const { id, token } = await createProject(cut.url, name)
  const connect = (base: string, label: string): AppClient[] => [0, 1].map((i) => cluster.client(base, id, token, `${label}c${i}`))
  return { redisProxy, cut, others, onCut: connect(cut.url, 'cut'), onOthers: others.flatMap((s, p) => connect(s.url, `p${p + 1}`)) }
}

/** `editors` edit before and after the stall; everyone must end with the same document and every edit. */
const editAcrossTheStall = async (setup: Awaited<ReturnType<typeof cutOffCluster>>, editors: readonly AppClient[], seed: number): Promise<void> => {
  const everyone = [...setup.onCut, ...setup.onOthers]
  await allSynced(everyone)
  const editing = editContinuously(editors, seed)
  await editedMore(editing.written, 10, 'edits relayed through Redis')
  await waitFor(() => everyone.every((c) => c.received.length > 0), CONVERGE_MS, 'relays before the stall')
  setup.redisProxy.stall()
  await editedMore(editing.written, 30, 'edits whose relays are lost')
  editing.stop()
  await waitFor(() => sameEverywhere(everyone), CONVERGE_MS, 'convergence through the log')
  expectNothingLost(everyone, editing.written)
}

describe('rows logged but never relayed through Redis', () => {
  test('reach processes whose clients only read, by their reads of the log', async () => {
    const setup = await cutOffCluster('Never relayed, readers')
    // Nobody on the other processes writes, so no gap shows there: only the catch-up tick finds these rows.
    await editAcrossTheStall(setup, setup.onCut, 41)
  }, SLOW)

  test('reach processes whose clients edit too, and the cut-off process gets theirs, nothing lost', async () => {
    const setup = await cutOffCluster('Never relayed, editors')
    await editAcrossTheStall(setup, [...setup.onCut, ...setup.onOthers], 42)
  }, SLOW)
})
