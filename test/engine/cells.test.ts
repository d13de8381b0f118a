import { afterEach, describe, expect, it, vi } from 'vitest'
import { type ItemId, type VersionId, addClass, addItem, addLabel, createProject, createVersion, setTag, updateLabel } from '../../src/domain/index.ts'
import type { FromEngine } from '../../src/engine/protocol.ts'
import { TabSession } from '../../src/engine/tab.ts'
import { record, settle } from './hosted.ts'
import { connectTab, memoryProject } from './memory.ts'

const by = { id: 'u1', name: 'Ada' }
const SHA = 'a'.repeat(64)

const setup = () => {
  const doc = createProject({ name: 'Test' })
  const classId = addClass(doc, { name: 'cat' })
  const ids = [0, 1, 2].map((i) => addItem(doc, { name: `img-${i}.png`, blob: SHA, mime: 'image/png', width: 100, height: 100 }, by))
  return { doc, classId, ids: ids as [ItemId, ItemId, ItemId] }
}

let close = (): void => undefined
afterEach(() => close())

describe('a watched cell', () => {
  it('is sent again when its item’s labels or tags changed, and not when another item changed', async () => {
    const { doc, classId, ids } = setup()
    const tab = connectTab(doc)
    close = tab.close
    const cells = ids.map((id) => record(tab.link, 'cells', { ids: [id] }))
    const sent = (): number[] => cells.map((c) => c.values.length)
    await vi.waitFor(() => expect(sent()).toEqual([1, 1, 1]))

    const labelId = addLabel(doc, ids[1], { classId, bbox: [1, 1, 10, 10] }, by)
    await vi.waitFor(() => expect(sent()[1]).toBe(2))
    await settle()
    expect(sent()).toEqual([1, 2, 1])
    expect(cells[1]?.values.at(-1)?.[0]?.labels.map((l) => l.bbox)).toEqual([[1, 1, 10, 10]])

    updateLabel(doc, ids[1], labelId, { bbox: [2, 2, 10, 10] }, by)
    setTag(doc, ids[2], 'blurry', true)
    await vi.waitFor(() => expect(sent()).toEqual([1, 3, 2]))
    await settle()
    expect(sent()).toEqual([1, 3, 2])
    expect(cells[2]?.values.at(-1)?.[0]?.tags).toEqual(['blurry'])
  })

  it('in the item view, is sent again for its own item only', async () => {
    const { doc, classId, ids } = setup()
    const tab = connectTab(doc)
    close = tab.close
    const item = record(tab.link, 'item', { itemId: ids[0] })
    await vi.waitFor(() => expect(item.values).toHaveLength(1))
    addLabel(doc, ids[1], { classId, bbox: [1, 1, 10, 10] }, by)
    setTag(doc, ids[2], 'blurry', true)
    await settle()
    expect(item.values).toHaveLength(1)
    setTag(doc, ids[0], 'sharp', true)
    await vi.waitFor(() => expect(item.values).toHaveLength(2))
    expect(item.values[1]?.item?.tags).toEqual(['sharp'])
  })

  it('of an old version shows it as it was and is never sent again for edits on latest', async () => {
    const { doc, classId, ids } = setup()
    addLabel(doc, ids[0], { classId, bbox: [1, 1, 10, 10] }, by)
    const v1 = createVersion(doc, { name: 'v1' }, by)
    const tab = connectTab(doc)
    close = tab.close
    await tab.link.call('show', v1.id as VersionId)
    const item = record(tab.link, 'item', { itemId: ids[0] })
    const cells = record(tab.link, 'cells', { ids })
    await vi.waitFor(() => expect([item.values.length, cells.values.length]).toEqual([1, 1]))
    addLabel(doc, ids[0], { classId, bbox: [5, 5, 10, 10] }, by)
    setTag(doc, ids[1], 'later', true)
    await settle()
    expect([item.values.length, cells.values.length]).toEqual([1, 1])
    expect(item.values[0]?.item?.labels).toHaveLength(1)
    expect(cells.values[0]?.map((c) => c.tags)).toEqual([[], [], []])
  })

  it('is not sent once unwatched', async () => {
    const { doc, classId, ids } = setup()
    const posted: FromEngine[] = []
    const session = new TabSession({ post: (m) => posted.push(m) }, memoryProject('p1', doc), by)
    close = () => session.close()
    session.watch('cell', 'cells', { ids: [ids[0]] })
    await vi.waitFor(() => expect(posted.filter((m) => m.t === 'topic')).toHaveLength(1))
    session.unwatch('cell')
    addLabel(doc, ids[0], { classId, bbox: [1, 1, 10, 10] }, by)
    await settle()
    expect(posted.filter((m) => m.t === 'topic')).toHaveLength(1)
  })
})
