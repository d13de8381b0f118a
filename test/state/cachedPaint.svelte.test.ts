import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import type { ItemId } from '../../src/domain/index.ts'
import type { Cell } from '../../src/engine/protocol.ts'
import { GRID_CACHE_FORMAT, type GridCache } from '../../src/sync/gridCache.ts'
import { OpenProject } from '../../src/state/openProject.svelte.ts'
import { fakeEngine, stubPage } from './page.ts'

beforeEach(stubPage)
afterEach(() => vi.unstubAllGlobals())

const item = (id: string, boxes: number) => ({
  id, name: `${id}.jpg`, blob: 'b'.repeat(64), mime: 'image/jpeg', width: 64, height: 48, tags: ['night'],
  labels: Array.from({ length: boxes }, (_, i) => [`${id}-l${i}`, 'c1', i, 0, 8, 8] as [string, string, number, number, number, number]),
})
const cache: GridCache = {
  projectId: 'p1', format: GRID_CACHE_FORMAT, stateVector: new Uint8Array(), name: 'P', total: 3, savedAt: 0,
  items: [item('a', 1), item('b', 2), item('c', 0)], classes: [{ id: 'c1', name: 'car', color: '#f00' }],
}
const ids = (...xs: string[]): ItemId[] => xs as ItemId[]
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

describe('the grid painted from the tab’s own read of the cache', () => {
  it('lists and draws the cached first screen before the engine answers, then shows only what the engine says', async () => {
    const engine = fakeEngine()
    const project = new OpenProject('p1', 't', { id: 'u1', name: 'Ada' }, engine.port, () => undefined, Promise.resolve(cache))
    flushSync()
    await tick()
    expect(project.visible).toEqual(['a', 'b', 'c'])
    const seen: Cell[][] = []
    project.watch('cells', { ids: ids('b', 'c', 'zz') }, (cells) => void seen.push(cells))
    await tick()
    expect(seen).toHaveLength(1)
    expect(seen[0]?.map((c) => [c.id, c.labels.length, c.tags])).toEqual([['b', 2, ['night']], ['c', 0, ['night']]])
    expect(seen[0]?.[0]?.labels[1]?.bbox).toEqual([1, 0, 8, 8])
    // The engine answers: from then on its cells and its list are what is shown.
    engine.say('cells', [])
    engine.say('list', { ids: 'c\nd', allTags: [] })
    expect(seen).toHaveLength(2)
    expect(project.visible).toEqual(['c', 'd'])
    const later: Cell[][] = []
    project.watch('cells', { ids: ids('a') }, (cells) => void later.push(cells))
    await tick()
    expect(later).toEqual([])
    project.close()
  })

  it('paints nothing of its own without a cache (an old version, a first visit), and drops a cached answer the engine beat', async () => {
    const engine = fakeEngine()
    const none = new OpenProject('p1', 't', { id: 'u1', name: 'Ada' }, engine.port, () => undefined, null)
    const seen: Cell[][] = []
    none.watch('cells', { ids: ids('a') }, (cells) => void seen.push(cells))
    await tick()
    expect([none.visible, seen]).toEqual([[], []])
    none.close()

    const other = fakeEngine()
    const project = new OpenProject('p1', 't', { id: 'u1', name: 'Ada' }, other.port, () => undefined, Promise.resolve(cache))
    await tick()
    const got: Cell[][] = []
    project.watch('cells', { ids: ids('a') }, (cells) => void got.push(cells))
    other.say('cells', [])
    await tick()
    expect(got).toEqual([[]])
    project.close()
  })
})
