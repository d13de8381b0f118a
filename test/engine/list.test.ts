import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { type ItemId, addClass, addItem, addLabel, addRun, createProject, createVersion, newProjectDoc, openVersion, readItem, removeItem, setTag } from '../../src/domain/index.ts'
import { ItemLists } from '../../src/engine/grid.ts'
import type { ListQuery } from '../../src/engine/protocol.ts'
import type { EngineLink } from '../../src/state/engineLink.ts'
import { connectTo, record, settle } from './hosted.ts'
import { connectTab, memoryProject } from './memory.ts'

const by = { id: 'u1', name: 'Ada' }
const SHA = 'b'.repeat(64)
const image = (name: string) => ({ name, blob: SHA, mime: 'image/png', width: 50, height: 50 })
const ALL: ListQuery = { search: '', classId: '', tag: '', labels: 'any', outcome: null }

let close = (): void => undefined
afterEach(() => {
  vi.useRealTimers()
  close()
})

/** The names a list topic shows for `query`, in display order, once it has answered `ok`. */
const listed = async (link: EngineLink, doc: Y.Doc, query: Partial<ListQuery>, ok: (names: string[]) => boolean = () => true): Promise<string[]> => {
  const names = (ids: string): string[] => (ids === '' ? [] : ids.split('\n').map((id) => readItem(doc, id as ItemId)?.name ?? id))
  const list = record(link, 'list', { ...ALL, ...query })
  try {
    await vi.waitFor(() => expect(list.values.some((v) => ok(names(v.ids)))).toBe(true))
    return names(list.values.at(-1)?.ids ?? '')
  } finally {
    list.stop()
  }
}

const pets = () => {
  const doc = createProject({ name: 'Pets' })
  const cat = addClass(doc, { name: 'cat' })
  const dog = addClass(doc, { name: 'dog' })
  const [a, b, c] = ['cat-1.png', 'dog-1.png', 'empty.png'].map((name) => addItem(doc, image(name), by)) as [ItemId, ItemId, ItemId]
  addLabel(doc, a, { classId: cat, bbox: [0, 0, 10, 10] }, by)
  addLabel(doc, b, { classId: dog, bbox: [0, 0, 10, 10] }, by)
  setTag(doc, c, 'blurry', true)
  return { doc, cat, dog, a, b, c }
}

describe('the list topic', () => {
  it('filters by text, class, tag and labels, and follows edits', async () => {
    const { doc, cat, b } = pets()
    const tab = connectTab(doc)
    close = tab.close
    expect(await listed(tab.link, doc, {})).toEqual(['cat-1.png', 'dog-1.png', 'empty.png'])
    expect(await listed(tab.link, doc, { search: 'DOG' })).toEqual(['dog-1.png'])
    expect(await listed(tab.link, doc, { labels: 'without' })).toEqual(['empty.png'])
    expect(await listed(tab.link, doc, { labels: 'with' })).toEqual(['cat-1.png', 'dog-1.png'])
    expect(await listed(tab.link, doc, { tag: 'blurry' })).toEqual(['empty.png'])

    const cats = record(tab.link, 'list', { ...ALL, classId: cat })
    await vi.waitFor(() => expect(cats.values).toHaveLength(1))
    expect(cats.values[0]?.ids.split('\n')).toHaveLength(1)
    addLabel(doc, b, { classId: cat, bbox: [10, 10, 10, 10] }, by)
    await vi.waitFor(() => expect(cats.values).toHaveLength(2))
    expect(cats.values[1]?.ids.split('\n').map((id) => readItem(doc, id as ItemId)?.name)).toEqual(['cat-1.png', 'dog-1.png'])
    expect(cats.values[1]?.allTags).toEqual(['blurry'])
  })

  it('lists in display order: oldest first, items added at the same time by id', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    // Four people add an image at the same moment; a fifth added one earlier, on a slow clock, and synced last.
    const replicas = Array.from({ length: 5 }, () => newProjectDoc())
    vi.setSystemTime(5_000)
    const same = replicas.slice(0, 4).map((replica, i) => addItem(replica, image(`same-${i}.png`), by)).sort()
    vi.setSystemTime(1_000)
    const first = addItem(replicas[4] as Y.Doc, image('earlier.png'), by)
    vi.useRealTimers()
    const doc = createProject({ name: 'Merged' })
    for (const replica of replicas) Y.applyUpdate(doc, Y.encodeStateAsUpdate(replica))
    const tab = connectTab(doc)
    close = tab.close
    const list = record(tab.link, 'list', ALL)
    await vi.waitFor(() => expect(list.values).toHaveLength(1))
    expect(list.values[0]?.ids.split('\n')).toEqual([first, ...same])
  })

  it('is sent again when items come or go, or a tag filtered on changes, not for a label edit the filters ignore', async () => {
    const { doc, cat, a, c } = pets()
    const tab = connectTab(doc)
    close = tab.close
    const all = record(tab.link, 'list', ALL)
    const blurry = record(tab.link, 'list', { ...ALL, tag: 'blurry' })
    await vi.waitFor(() => expect([all.values.length, blurry.values.length]).toEqual([1, 1]))

    addLabel(doc, a, { classId: cat, bbox: [20, 20, 5, 5] }, by)
    await settle()
    expect([all.values.length, blurry.values.length]).toEqual([1, 1])

    const added = addItem(doc, image('new.png'), by)
    await vi.waitFor(() => expect(all.values).toHaveLength(2))
    expect(all.values[1]?.ids.split('\n').at(-1)).toBe(added)
    removeItem(doc, c)
    await vi.waitFor(() => expect(all.values).toHaveLength(3))
    expect(all.values[2]?.ids.split('\n')).not.toContain(c)
    await vi.waitFor(() => expect(blurry.values).toHaveLength(2))
    expect(blurry.values[1]?.ids).toBe('')
    setTag(doc, added, 'blurry', true)
    await vi.waitFor(() => expect(blurry.values).toHaveLength(3))
    expect(blurry.values[2]?.ids).toBe(added)
  })

  it('keeps the items of a measured outcome from the Quality view, combined with the other filters', async () => {
    const doc = createProject({ name: 'Roads' })
    const car = addClass(doc, { name: 'car' })
    const [a, b, c] = ['a.png', 'b.png', 'c.png'].map((name) => addItem(doc, image(name), by)) as [ItemId, ItemId, ItemId]
    for (const id of [a, b, c]) addLabel(doc, id, { classId: car, bbox: [0, 0, 10, 10] }, by)
    setTag(doc, c, 'night', true)
    const project = memoryProject('p1', doc)
    // Predictions right on b, beside the box on a and c: false positives on a and c.
    const predictions = [a, b, c].map((id) => ({ image_id: id, category_id: car, bbox: id === b ? [0, 0, 10, 10] : [30, 30, 10, 10], score: 0.9 }))
    const sha = 'd'.repeat(64)
    await project.blobs.add(new Blob([JSON.stringify(predictions)]), sha)
    const runId = addRun(doc, { name: 'R', model: 'm', blob: sha, count: 3 }, by)
    const tab = connectTo(project)
    close = tab.close
    const quality = record(tab.link, 'quality', null)
    await tab.link.call('measure', [{ version: 'latest', runId }], { iou: 0.5, score: 0.5 })
    await vi.waitFor(() => expect(quality.values.at(-1)?.results).toHaveLength(1))

    const falsePositives = { result: 0, selection: { kind: 'detection' as const, classId: car, outcomes: ['fp' as const] } }
    expect(await tab.link.call('outcomeItems', 0, falsePositives.selection)).toBe(2)
    expect(await listed(tab.link, doc, { outcome: falsePositives })).toEqual(['a.png', 'c.png'])
    expect(await listed(tab.link, doc, { outcome: falsePositives, tag: 'night' })).toEqual(['c.png'])
    expect(await listed(tab.link, doc, { outcome: null })).toEqual(['a.png', 'b.png', 'c.png'])
  })
})

describe('ItemLists', () => {
  it('lists latest once per change of its items, and an old version once while switching back and forth', () => {
    const doc = createProject({ name: 'Test' })
    const first = addItem(doc, image('a.png'), by)
    const v1 = createVersion(doc, { name: 'v1' }, by)
    addItem(doc, image('b.png'), by)
    const lists = new ItemLists()
    const latest = lists.of(doc)
    expect(lists.of(doc)).toBe(latest)
    expect(latest.map((i) => i.name)).toEqual(['a.png', 'b.png'])
    const old = lists.of(openVersion(doc, v1.id))
    expect(old.map((i) => i.name)).toEqual(['a.png'])
    expect(lists.of(doc)).toBe(latest)
    expect(lists.of(openVersion(doc, v1.id))).toBe(old)

    removeItem(doc, first)
    lists.itemsChanged()
    expect(lists.of(doc).map((i) => i.name)).toEqual(['b.png'])
  })
})
