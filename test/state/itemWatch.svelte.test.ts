import { describe, expect, it } from 'vitest'
import { flushSync } from 'svelte'
import { type ItemId, addClass, addItem, addLabel, createProject, createVersion, openVersion, setTag, updateLabel } from '../../src/domain/index.ts'
import { ProjectState } from '../../src/state/project.svelte.ts'

const by = { id: 'u1', name: 'Ada' }
const SHA = 'a'.repeat(64)

const setup = () => {
  const doc = createProject({ name: 'Test' })
  const classId = addClass(doc, { name: 'cat' })
  const ids = [0, 1, 2].map((i) => addItem(doc, { name: `img-${i}.png`, blob: SHA, mime: 'image/png', width: 100, height: 100 }, by))
  return { doc, classId, ids: ids as [ItemId, ItemId, ItemId] }
}

/** Runs one effect per item and counts how often each re-runs. */
const watchItems = (project: ProjectState, ids: ItemId[]) => {
  const runs = new Map<ItemId, number>(ids.map((id) => [id, 0]))
  const seen = new Map<ItemId, number>()
  const stop = $effect.root(() => {
    for (const id of ids) {
      $effect(() => {
        seen.set(id, project.item(id)?.labels.length ?? -1)
        runs.set(id, (runs.get(id) ?? 0) + 1)
      })
    }
  })
  flushSync()
  return { runs, seen, stop }
}

describe('ProjectState.item', () => {
  it('re-runs only the effect of the item whose label changed', () => {
    const { doc, classId, ids } = setup()
    const project = new ProjectState(doc)
    const { runs, seen, stop } = watchItems(project, ids)
    expect([...runs.values()]).toEqual([1, 1, 1])

    const labelId = addLabel(doc, ids[1], { classId, bbox: [1, 1, 10, 10] }, by)
    flushSync()
    expect([...runs.values()]).toEqual([1, 2, 1])
    expect(seen.get(ids[1])).toBe(1)

    updateLabel(doc, ids[1], labelId, { bbox: [2, 2, 10, 10] }, by)
    setTag(doc, ids[2], 'blurry', true)
    flushSync()
    expect([...runs.values()]).toEqual([1, 3, 2])
    stop()
  })

  it('stops observing when no effect reads any item', () => {
    const { doc, classId, ids } = setup()
    const project = new ProjectState(doc)
    const { runs, stop } = watchItems(project, ids)
    stop()
    flushSync()
    addLabel(doc, ids[0], { classId, bbox: [1, 1, 10, 10] }, by)
    flushSync()
    expect(runs.get(ids[0])).toBe(1)
  })

  it('shows an old version read-only and never re-runs for edits on latest', () => {
    const { doc, classId, ids } = setup()
    addLabel(doc, ids[0], { classId, bbox: [1, 1, 10, 10] }, by)
    const v1 = createVersion(doc, { name: 'v1' }, by)
    const project = new ProjectState(doc)
    project.view(v1.id)
    const { runs, seen, stop } = watchItems(project, [ids[0]])
    expect(project.readOnly).toBe(true)
    addLabel(doc, ids[0], { classId, bbox: [5, 5, 10, 10] }, by)
    flushSync()
    expect(runs.get(ids[0])).toBe(1)
    expect(seen.get(ids[0])).toBe(1)
    expect(() => addLabel(project.doc ?? openVersion(doc, v1.id), ids[0], { classId, bbox: [5, 5, 10, 10] }, by)).toThrow(/read-only/)
    stop()
  })
})

describe('ProjectState.items', () => {
  it('re-runs the item list for new items but not for label edits', () => {
    const { doc, classId, ids } = setup()
    const project = new ProjectState(doc)
    let runs = 0
    let count = 0
    const stop = $effect.root(() => {
      $effect(() => {
        count = project.items.length
        runs++
      })
    })
    flushSync()
    addLabel(doc, ids[0], { classId, bbox: [1, 1, 10, 10] }, by)
    flushSync()
    expect(runs).toBe(1)
    addItem(doc, { name: 'img-3.png', blob: SHA, mime: 'image/png', width: 100, height: 100 }, by)
    flushSync()
    expect([runs, count]).toEqual([2, 4])
    stop()
  })
})
