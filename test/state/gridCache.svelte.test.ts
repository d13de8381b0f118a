import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import * as Y from 'yjs'
import { type ItemId, type VersionId, addClass, addItem, addLabel, createProject, listItems, setTag } from '../../src/domain/index.ts'
import { GridCacheWriter, buildGridCache, firstItems } from '../../src/state/gridCache.ts'
import { ProjectLoad } from '../../src/state/load.svelte.ts'
import { memoryGridCaches } from '../../src/sync/gridCache.ts'
import type { LocalProject } from '../../src/sync/persistence.ts'

const by = { id: 'u1', name: 'Ada' }
const SHA = 'c'.repeat(64)

const project = (n: number) => {
  const doc = createProject({ name: 'Cached' })
  const classId = addClass(doc, { name: 'cat' })
  const ids: ItemId[] = []
  for (let i = 0; i < n; i++) ids.push(addItem(doc, { name: `img-${i}.png`, blob: SHA, mime: 'image/png', width: 100, height: 80 }, by))
  return { doc, classId, ids }
}

afterEach(() => vi.useRealTimers())

describe('grid cache', () => {
  it('holds the first items in display order with their labels and tags', () => {
    const { doc, classId, ids } = project(5)
    addLabel(doc, ids[0] as ItemId, { classId, bbox: [1, 2, 3, 4] }, by)
    setTag(doc, ids[0] as ItemId, 'blurry', true)
    const cache = buildGridCache(doc, 'p1', 3)
    expect(cache.total).toBe(5)
    expect(cache.items.map((i) => i.id)).toEqual(listItems(doc).slice(0, 3).map((i) => i.id))
    const first = cache.items.find((i) => i.id === ids[0])
    expect(first?.labels ?? [[classId, 1, 2, 3, 4]]).toEqual([[classId, 1, 2, 3, 4]])
    expect(first?.tags ?? ['blurry']).toEqual(['blurry'])
    expect(buildGridCache(doc, 'p1').items.find((i) => i.id === ids[0])?.tags).toEqual(['blurry'])
  })

  it('picks the same first items as a full sort, ties broken by id', () => {
    const doc = new Y.Doc({ gc: false })
    const items = doc.getMap<{ addedAt: number }>('items')
    const all = Array.from({ length: 500 }, (_, i) => ({ id: `id-${(i * 7919) % 500}`, addedAt: i % 13 }))
    for (const { id, addedAt } of all) items.set(id, { addedAt })
    const sorted = all.sort((a, b) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : 1)).map((e) => e.id)
    expect(firstItems(items as never, 37)).toEqual(sorted.slice(0, 37))
  })

  it('reflects an edit once the debounce has passed, not before', async () => {
    vi.useFakeTimers()
    const { doc, classId, ids } = project(3)
    const store = memoryGridCaches()
    const writer = new GridCacheWriter(doc, 'p1', store, 500)
    const labelsOf = (id: ItemId) => store.records.get('p1')?.items.find((i) => i.id === id)?.labels
    await vi.runAllTimersAsync()
    await writer.written
    expect(labelsOf(ids[1] as ItemId)).toEqual([])

    addLabel(doc, ids[1] as ItemId, { classId, bbox: [5, 5, 10, 10] }, by)
    await vi.advanceTimersByTimeAsync(400)
    await writer.written
    expect(labelsOf(ids[1] as ItemId)).toEqual([])
    await vi.advanceTimersByTimeAsync(200)
    await writer.written
    expect(labelsOf(ids[1] as ItemId)).toEqual([[classId, 5, 5, 10, 10]])
    expect(store.records.get('p1')?.stateVector).toEqual(Y.encodeStateVector(doc))
    writer.destroy()
  })

  it('overwrites at start a cache built from another state of the document', async () => {
    vi.useFakeTimers()
    const { doc } = project(2)
    const store = memoryGridCaches()
    await store.write({ ...buildGridCache(doc, 'p1'), stateVector: new Uint8Array([0]), total: 99 })
    const writer = new GridCacheWriter(doc, 'p1', store, 10_000)
    await vi.runAllTimersAsync()
    await writer.written
    expect(store.records.get('p1')?.total).toBe(2)
    writer.destroy()
  })
})

describe('ProjectLoad', () => {
  const deferred = () => {
    let resolve: (local: LocalProject) => void = () => undefined
    const promise = new Promise<LocalProject>((r) => (resolve = r))
    return { promise, resolve }
  }

  it('shows a cache read-only while loading and never once the live document is there', async () => {
    const { doc } = project(4)
    const store = memoryGridCaches()
    await store.write(buildGridCache(doc, 'p1'))
    const opening = deferred()
    const load = new ProjectLoad('p1', () => opening.promise, store)
    await Promise.resolve()
    await Promise.resolve()
    flushSync()
    expect(load.previewFor(null)?.total).toBe(4)
    expect(load.editable).toBe(false)
    expect(load.local).toBeNull()

    const live = createProject({ name: 'Live' })
    opening.resolve({ doc: live, destroy: () => undefined })
    await opening.promise
    await Promise.resolve()
    flushSync()
    expect(load.editable).toBe(true)
    expect(load.local?.doc).toBe(live)
    expect(load.previewFor(null)).toBeNull()
  })

  it('never shows the cache for an old version or another project', async () => {
    const { doc } = project(2)
    const store = memoryGridCaches()
    await store.write(buildGridCache(doc, 'p1'))
    const load = new ProjectLoad('p1', () => new Promise(() => undefined), store)
    const other = new ProjectLoad('p2', () => new Promise(() => undefined), store)
    await new Promise((r) => setTimeout(r, 0))
    expect(load.previewFor('v1' as VersionId)).toBeNull()
    expect(load.previewFor(null)).not.toBeNull()
    expect(other.previewFor(null)).toBeNull()
  })

  it('keeps an item opened during the load for when it is ready', () => {
    const load = new ProjectLoad('p1', () => new Promise(() => undefined), memoryGridCaches())
    load.queueOpen('i1' as ItemId)
    expect(load.queued).toBe('i1')
  })
})
