import { describe, expect, test } from 'vitest'
import { createProject, waitFor } from '../server/harness.ts'
import { CONVERGE_MS, SLOW, allSynced, roomsLoaded, useCluster, waitForAsync } from './cluster.ts'
import { editContinuously, expectNothingLost, holdsAll, sameEverywhere } from './edits.ts'

const cluster = useCluster()
const QUICK_EVICTION = { STRATA_IDLE_ROOM_MS: '300' }

describe('an idle room', () => {
  test('is evicted on the process its clients left while another keeps serving it; a new client there gets everything', async () => {
    const [a, b] = await Promise.all([cluster.server(QUICK_EVICTION), cluster.server(QUICK_EVICTION)])
    const { id, token } = await createProject(a!.url, 'Eviction')
    const leavers = [0, 1].map((i) => cluster.client(a!.url, id, token, `a${i}`))
    const stayers = [0, 1].map((i) => cluster.client(b!.url, id, token, `b${i}`))
    await allSynced([...leavers, ...stayers])
    expect(await roomsLoaded(a!)).toBe(1)

    const before = editContinuously([...leavers, ...stayers], 21)
    await waitFor(() => before.written.every((w) => w.edits >= 15), CONVERGE_MS, 'edits on both processes')
    before.stop()
    await waitFor(() => sameEverywhere([...leavers, ...stayers]), CONVERGE_MS, 'convergence before leaving')
    for (const c of leavers) c.provider.destroy()

    const during = editContinuously(stayers, 22, before.written.slice(2))
    await waitForAsync(async () => await roomsLoaded(a!) === 0, CONVERGE_MS, 'A evicted the room')
    const atEviction = during.written.map((w) => w.edits)
    expect(await roomsLoaded(b!)).toBe(1)
    await waitFor(() => during.written.every((w, i) => w.edits >= atEviction[i]! + 15), CONVERGE_MS, 'edits after the eviction')
    during.stop()
    await waitFor(() => sameEverywhere(stayers), CONVERGE_MS, 'B kept serving')
    expectNothingLost(stayers, before.written)

    const back = cluster.client(a!.url, id, token, 'back')
    await allSynced([back])
    await waitFor(() => sameEverywhere([back, ...stayers]), CONVERGE_MS, 'the new client on A caught up')
    expectNothingLost([back, ...stayers], before.written)
    for (const c of leavers) expect(holdsAll(back.doc, c.made), `${c.name}'s updates`).toBe(true)
    expect(await roomsLoaded(a!)).toBe(1)
  }, SLOW)
})
