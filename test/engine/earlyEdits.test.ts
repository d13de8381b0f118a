import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type ClassId, type ItemId, type LabelId, addClass, addItem, addLabel, createProject, readItem } from '../../src/domain/index.ts'
import { EarlyEdits } from '../../src/engine/early.ts'
import { buildGridCache } from '../../src/engine/gridCache.ts'
import { EngineHost } from '../../src/engine/host.ts'
import type { OpenedProject } from '../../src/engine/opened.ts'
import type { Cell } from '../../src/engine/protocol.ts'
import { EngineLink, type EnginePort } from '../../src/state/engineLink.ts'
import { memoryFiles, memoryProject, nextValue } from './memory.ts'

const ada = { id: 'u-ada', name: 'Ada' }
const image = { name: 'a.png', blob: 'c'.repeat(64), mime: 'image/png', width: 100, height: 100 }

/** A stored project: its document as saved, and the grid cache saved with it. */
const stored = (projectId: string) => {
  const doc = createProject({ name: 'Roads' })
  const classId = addClass(doc, { name: 'car' }) as ClassId
  const itemId = addItem(doc, image, ada)
  const labelId = addLabel(doc, itemId, { classId, bbox: [1, 1, 10, 10] }, ada)
  return { doc, classId, itemId, labelId, cache: buildGridCache(doc, projectId) }
}

/** A project whose document is still loading: the tab sees the cache until `load()`. */
const loading = (projectId: string, saved: Y.Doc, cache: ReturnType<typeof buildGridCache>) => {
  const live = new Y.Doc({ gc: false })
  let done: (doc: Y.Doc) => void = () => undefined
  const ready = new Promise<Y.Doc>((resolve) => (done = resolve))
  const inMemory = memoryProject(projectId, live)
  const early = new EarlyEdits(projectId, () => listeners.forEach((fn) => fn(new Set(['items', 'labels', 'tags']))))
  const listeners = new Set<(names: ReadonlySet<'items' | 'labels' | 'tags'>) => void>()
  let state: 'cached' | 'ready' = 'cached'
  const project: OpenedProject = {
    ...inMemory,
    blobs: memoryFiles(),
    ready,
    early,
    get phase() { return state },
    get doc() { return state === 'ready' ? live : null },
    get cache() { return state === 'ready' ? null : cache },
    onChange: (fn) => {
      listeners.add(fn)
      const off = inMemory.onChange(fn)
      return () => (listeners.delete(fn), off())
    },
  }
  const load = async (): Promise<void> => {
    Y.applyUpdate(live, Y.encodeStateAsUpdate(saved))
    await early.applyTo(live)
    state = 'ready'
    done(live)
    listeners.forEach((fn) => fn(new Set(['items', 'labels', 'tags'])))
  }
  return { project, live, load }
}

const tabOn = (project: OpenedProject) => {
  const host = new EngineHost(() => project)
  const channel = new MessageChannel()
  host.connect(channel.port1 as unknown as Parameters<EngineHost['connect']>[0])
  const link = new EngineLink(channel.port2 as unknown as EnginePort, { projectId: project.projectId, token: 't', actor: ada, online: true, lock: null }, () => undefined, () => undefined)
  return { link, close: () => (link.close(), channel.port1.close(), channel.port2.close()) }
}

let closing: Array<() => void> = []
afterEach(() => {
  closing.forEach((fn) => fn())
  closing = []
})

describe('edits made from the first paint, before the document has loaded', () => {
  it('are shown at once on the cached cell and applied to the document once it is in', async () => {
    const s = stored('p-early')
    const { project, live, load } = loading('p-early', s.doc, s.cache)
    const tab = tabOn(project)
    closing.push(tab.close)
    const watchCell = (fn: (v: Cell[]) => void) => tab.link.watch('cells', { ids: [s.itemId] }, fn)

    await tab.link.call('setTags', [s.itemId], 'reviewed', true)
    const newLabel: LabelId = await tab.link.call('addLabel', s.itemId, s.classId, [20, 20, 30, 30])
    await tab.link.call('updateLabel', s.itemId, s.labelId, { bbox: [2, 2, 12, 12] })
    const shown = await nextValue(watchCell, (v) => v[0]?.tags.includes('reviewed') === true)
    expect(shown[0]?.labels.map((l) => [l.id, l.bbox])).toEqual([[s.labelId, [2, 2, 12, 12]], [newLabel, [20, 20, 30, 30]]])
    expect(readItem(live, s.itemId as ItemId)).toBeNull()

    await load()
    const item = readItem(live, s.itemId)
    expect(item?.tags).toEqual(['reviewed'])
    // The moved box is now the newest write, so it is listed last.
    expect(item?.labels.map((l) => [l.id, l.bbox])).toEqual([[newLabel, [20, 20, 30, 30]], [s.labelId, [2, 2, 12, 12]]])
  })

  it('are kept on this device when the tab closes first, and applied by the next open', async () => {
    const s = stored('p-closed')
    const first = loading('p-closed', s.doc, s.cache)
    const tab = tabOn(first.project)
    await tab.link.call('setTags', [s.itemId], 'kept', true)
    await tab.link.call('removeLabel', s.itemId, s.labelId)
    tab.close()

    // A new engine (the worker was gone with the tab) opens the same project.
    const again = loading('p-closed', s.doc, s.cache)
    await again.load()
    const item = readItem(again.live, s.itemId)
    expect(item?.tags).toEqual(['kept'])
    expect(item?.labels).toEqual([])
  })

  it('refuse what the document would refuse, before anything is kept', async () => {
    const s = stored('p-bad')
    const { project, live, load } = loading('p-bad', s.doc, s.cache)
    const tab = tabOn(project)
    closing.push(tab.close)
    await expect(tab.link.call('setTags', [s.itemId], '   ', true)).rejects.toMatchObject({ name: 'ValidationError' })
    await expect(tab.link.call('addLabel', s.itemId, s.classId, [90, 90, 50, 50])).rejects.toMatchObject({ name: 'ValidationError' })
    await load()
    expect(readItem(live, s.itemId)?.labels.map((l) => l.id)).toEqual([s.labelId])
    expect(readItem(live, s.itemId)?.tags).toEqual([])
  })
})
