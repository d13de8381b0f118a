import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { type ItemId, addClass, addItem, addLabel, createProject, createVersion, listItems, readItem, setTag } from '../../src/domain/index.ts'
import { GridCacheWriter, buildGridCache, firstItems } from '../../src/engine/gridCache.ts'
import type { Changed, OpenedProject } from '../../src/engine/opened.ts'
import { type GridCache, memoryGridCaches } from '../../src/sync/gridCache.ts'
import { connectTo, record, settle } from './hosted.ts'
import { memoryFiles, memoryProject } from './memory.ts'

const by = { id: 'u1', name: 'Ada' }
const SHA = 'c'.repeat(64)

const project = (n: number) => {
  const doc = createProject({ name: 'Cached' })
  const classId = addClass(doc, { name: 'cat' })
  const ids: ItemId[] = []
  for (let i = 0; i < n; i++) ids.push(addItem(doc, { name: `img-${i}.png`, blob: SHA, mime: 'image/png', width: 100, height: 80 }, by))
  return { doc, classId, ids }
}

let close = (): void => undefined
afterEach(() => {
  vi.useRealTimers()
  close()
})

describe('grid cache', () => {
  it('holds the first items in display order with their labels and tags', () => {
    const { doc, classId, ids } = project(5)
    const labelId = addLabel(doc, ids[0] as ItemId, { classId, bbox: [1, 2, 3, 4] }, by)
    setTag(doc, ids[0] as ItemId, 'blurry', true)
    const cache = buildGridCache(doc, 'p1', 3)
    expect(cache.total).toBe(5)
    expect(cache.name).toBe('Cached')
    expect(cache.items.map((i) => i.id)).toEqual(listItems(doc).slice(0, 3).map((i) => i.id))
    expect(cache.items[0]).toMatchObject({ id: ids[0], name: 'img-0.png', labels: [[labelId, classId, 1, 2, 3, 4]], tags: ['blurry'] })
    expect(cache.classes).toEqual([{ id: classId, name: 'cat', color: expect.any(String) }])
  })

  it('picks the same first items as a full sort, ties broken by id', () => {
    const doc = new Y.Doc({ gc: false })
    const items = doc.getMap<{ addedAt: number }>('items')
    const all = Array.from({ length: 500 }, (_, i) => ({ id: `id-${(i * 7919) % 500}`, addedAt: i % 13 }))
    for (const { id, addedAt } of all) items.set(id, { addedAt })
    const sorted = all.sort((a, b) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : 1)).map((e) => e.id)
    expect(firstItems(items as never, 37)).toEqual(sorted.slice(0, 37))
  })

  it('reflects an edit once the debounce has passed, not before, and marks each write', async () => {
    vi.useFakeTimers()
    const { doc, classId, ids } = project(3)
    const store = memoryGridCaches()
    const marks: string[] = []
    const writer = new GridCacheWriter(doc, 'p1', store, (name) => marks.push(name), 500)
    const labelsOf = (id: ItemId) => store.records.get('p1')?.items.find((i) => i.id === id)?.labels
    await vi.runAllTimersAsync()
    await writer.written
    expect(labelsOf(ids[1] as ItemId)).toEqual([])
    expect(marks).toEqual(['strata:grid-cached'])

    const labelId = addLabel(doc, ids[1] as ItemId, { classId, bbox: [5, 5, 10, 10] }, by)
    await vi.advanceTimersByTimeAsync(400)
    await writer.written
    expect(labelsOf(ids[1] as ItemId)).toEqual([])
    await vi.advanceTimersByTimeAsync(200)
    await writer.written
    expect(labelsOf(ids[1] as ItemId)).toEqual([[labelId, classId, 5, 5, 10, 10]])
    expect(store.records.get('p1')?.stateVector).toEqual(Y.encodeStateVector(doc))
    expect(marks).toHaveLength(2)
    writer.destroy()
  })

  it('overwrites at start a cache built from another state of the document, and keeps one built from this state', async () => {
    vi.useFakeTimers()
    const { doc } = project(2)
    const store = memoryGridCaches()
    await store.write({ ...buildGridCache(doc, 'p1'), stateVector: new Uint8Array([0]), total: 99 })
    const writer = new GridCacheWriter(doc, 'p1', store, () => undefined, 10_000)
    await vi.runAllTimersAsync()
    await writer.written
    expect(store.records.get('p1')?.total).toBe(2)
    writer.destroy()

    await store.write({ ...buildGridCache(doc, 'p1'), total: 77 })
    const again = new GridCacheWriter(doc, 'p1', store, () => undefined, 10_000)
    await vi.runAllTimersAsync()
    await again.written
    expect(store.records.get('p1')?.total).toBe(77)
    again.destroy()
  })

  it('is never read for another project', async () => {
    const store = memoryGridCaches()
    await store.write(buildGridCache(project(2).doc, 'p1'))
    store.records.set('p2', { ...(store.records.get('p1') as GridCache) })
    expect(await store.read('p1')).not.toBeNull()
    expect(await store.read('p2')).toBeNull()
  })
})

/** A project whose document is still loading, with `cache` saved on this device; `load` brings the document. */
const loading = (projectId: string, cache: GridCache): { project: OpenedProject; load: (doc: Y.Doc) => void } => {
  let doc: Y.Doc | null = null
  let resolve: (doc: Y.Doc) => void = () => undefined
  const ready = new Promise<Y.Doc>((r) => (resolve = r))
  const listeners = new Set<Changed>()
  const project: OpenedProject = {
    projectId, blobs: memoryFiles(), ready, percent: 40, error: null, connection: null, saveError: null, images: null, early: null, earlyProblems: [], everSynced: true,
    get phase() { return doc ? 'ready' as const : 'cached' as const },
    get cache() { return doc ? null : cache },
    get doc() { return doc },
    onChange: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
    network: () => undefined,
    publish: () => undefined,
    close: async () => undefined,
  }
  const load = (live: Y.Doc): void => {
    doc = live
    memoryProject(projectId, live).onChange((names) => listeners.forEach((fn) => fn(names)))
    resolve(live)
  }
  return { project, load }
}

describe('a tab while the project loads', () => {
  it('is served the grid cache, then the live document once it is there', async () => {
    const { doc, classId, ids } = project(4)
    const [first] = ids as [ItemId]
    addLabel(doc, first, { classId, bbox: [1, 2, 3, 4] }, by)
    const cache = buildGridCache(doc, 'p1', 3)
    // Work arrived after the cache was saved: the live document has it, the cache not.
    addItem(doc, { name: 'late.png', blob: SHA, mime: 'image/png', width: 10, height: 10 }, by)
    setTag(doc, first, 'checked', true)
    const { project: opening, load } = loading('p1', cache)
    const tab = connectTo(opening)
    close = tab.close
    const topic = record(tab.link, 'project', null)
    const list = record(tab.link, 'list', { search: '', classId: '', tag: '', labels: 'any', outcome: null })
    const cells = record(tab.link, 'cells', { ids: [first] })
    const item = record(tab.link, 'item', { itemId: first })
    await vi.waitFor(() => expect(item.values).toHaveLength(1))

    expect(topic.values.at(-1)).toMatchObject({ phase: 'cached', name: 'Cached', total: 4, classes: [{ id: classId, name: 'cat' }] })
    expect(list.values.at(-1)?.ids.split('\n')).toEqual(ids.slice(0, 3))
    expect(cells.values.at(-1)?.map((c) => [c.name, c.tags, c.labels.map((l) => [l.classId, ...l.bbox])])).toEqual([['img-0.png', [], [[classId, 1, 2, 3, 4]]]])
    expect(item.values.at(-1)?.item?.name).toBe('img-0.png')

    // With no store for early edits, an edit sent while the cache shows waits for the document, then lands on it.
    let tagged = false
    const tagging = tab.link.call('setTags', [first], 'seen-early', true).then(() => (tagged = true))
    await settle()
    expect(tagged).toBe(false)

    load(doc)
    await tagging
    expect(readItem(doc, first)?.tags).toEqual(['checked', 'seen-early'])
    await vi.waitFor(() => expect(topic.values.at(-1)?.phase).toBe('ready'))
    await vi.waitFor(() => expect(item.values.at(-1)?.item?.tags).toEqual(['checked', 'seen-early']))
    expect(topic.values.at(-1)?.total).toBe(5)
    expect(list.values.at(-1)?.ids.split('\n')).toEqual(listItems(doc).map((i) => i.id))
    expect(cells.values.at(-1)?.[0]?.tags).toEqual(['checked', 'seen-early'])
  })
})

describe('a tab that asks for an old version while the project loads', () => {
  it('is never shown latest’s cache, and sees the version once the document is in', async () => {
    const { doc, ids } = project(1)
    const v1 = createVersion(doc, { name: 'One item' }, by)
    addItem(doc, { name: 'later.png', blob: SHA, mime: 'image/png', width: 10, height: 10 }, by)
    const { project: opening, load } = loading('p1', buildGridCache(doc, 'p1'))
    const tab = connectTo(opening)
    close = tab.close
    await tab.link.call('show', v1.id)
    const list = record(tab.link, 'list', { search: '', classId: '', tag: '', labels: 'any', outcome: null })
    const cells = record(tab.link, 'cells', { ids })
    await vi.waitFor(() => expect(cells.values).toHaveLength(1))
    expect(list.values.at(-1)?.ids).toBe('')
    expect(cells.values.at(-1)).toEqual([])

    load(doc)
    await vi.waitFor(() => expect(list.values.at(-1)?.ids.split('\n')).toEqual(ids))
  })
})
