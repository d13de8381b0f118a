import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import { type ItemId, addClass, addItem, addLabel, createProject, createVersion, diffVersions, updateLabel } from '../../src/domain/index.ts'
import { ProjectState } from '../../src/state/project.svelte.ts'
import type { Later } from '../../src/state/changesSince.svelte.ts'

const by = { id: 'u1', name: 'Ada' }
const SHA = 'c'.repeat(64)

/** A scheduler the test runs by hand: what `later` was asked to do, and after how long. */
const manual = () => {
  const queued: Array<{ task: () => void; delayMs: number }> = []
  const later: Later = (task, delayMs) => {
    const entry = { task, delayMs }
    queued.push(entry)
    return () => queued.splice(queued.indexOf(entry), 1)
  }
  const runAll = (): void => {
    for (const { task } of queued.splice(0)) task()
    flushSync()
  }
  return { queued, later, runAll }
}

const setup = () => {
  const doc = createProject({ name: 'Test' })
  const classId = addClass(doc, { name: 'cat' })
  const ids = [0, 1, 2].map((i) => addItem(doc, { name: `img-${i}.png`, blob: SHA, mime: 'image/png', width: 100, height: 100 }, by)) as ItemId[]
  const labelIds = ids.map((id) => addLabel(doc, id, { classId, bbox: [1, 1, 10, 10] }, by))
  const v1 = createVersion(doc, { name: 'v1' }, by)
  return { doc, classId, ids, labelIds, v1 }
}

/** Two effects show the count, as a banner re-rendering would. */
const showCount = (project: ProjectState) => {
  const seen: Array<number | null> = []
  const stop = $effect.root(() => {
    $effect(() => {
      seen.push(project.changesSinceViewed)
    })
    $effect(() => {
      void project.changesSinceViewed
    })
  })
  flushSync()
  return { seen, stop }
}

describe('ProjectState.changesSinceViewed', () => {
  afterEach(() => vi.restoreAllMocks())

  it('is counted once per version, after the view rendered, and kept while latest does not change', () => {
    const { doc, classId, ids, labelIds, v1 } = setup()
    updateLabel(doc, ids[0] as ItemId, labelIds[0]!, { bbox: [2, 2, 10, 10] }, by)
    addLabel(doc, ids[1] as ItemId, { classId, bbox: [5, 5, 10, 10] }, by)
    const { queued, later, runAll } = manual()
    const project = new ProjectState(doc, later)
    project.view(v1.id)
    const { seen, stop } = showCount(project)
    expect(seen).toEqual([null])
    expect(queued.map((q) => q.delayMs)).toEqual([0])

    runAll()
    expect(seen).toEqual([null, 2])
    expect(diffVersions(doc, v1.id, 'latest').summary.total).toBe(2)
    flushSync()
    expect(queued).toEqual([])

    // Back to latest and to the same version again: nothing is counted twice.
    project.view(null)
    flushSync()
    project.view(v1.id)
    flushSync()
    expect(seen.at(-1)).toBe(2)
    expect(queued).toEqual([])
    stop()
  })

  it('recounts after latest changed, showing the last count meanwhile and waiting between recounts', () => {
    const { doc, classId, ids, v1 } = setup()
    const { queued, later, runAll } = manual()
    const project = new ProjectState(doc, later)
    project.view(v1.id)
    const { seen, stop } = showCount(project)
    runAll()
    expect(seen).toEqual([null, 0])

    addLabel(doc, ids[2] as ItemId, { classId, bbox: [5, 5, 10, 10] }, by)
    addLabel(doc, ids[2] as ItemId, { classId, bbox: [6, 6, 10, 10] }, by)
    flushSync()
    expect(seen.at(-1)).toBe(0)
    expect(queued).toHaveLength(1)
    expect(queued[0]?.delayMs).toBeGreaterThan(0)
    runAll()
    expect(seen.at(-1)).toBe(2)
    stop()
  })

  it('counts in slices with a frame between them, and a slice cut short by an edit is counted again', () => {
    const { doc, classId, ids, labelIds, v1 } = setup()
    updateLabel(doc, ids[0] as ItemId, labelIds[0]!, { bbox: [2, 2, 10, 10] }, by)
    addLabel(doc, ids[1] as ItemId, { classId, bbox: [5, 5, 10, 10] }, by)
    // Every clock read is 11 ms later: each slice does one step of the count and yields.
    let now = 0
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 11))
    const { queued, later, runAll } = manual()
    const project = new ProjectState(doc, later)
    project.view(v1.id)
    const { seen, stop } = showCount(project)
    runAll()
    expect(seen).toEqual([null])
    expect(queued.map((q) => q.delayMs)).toEqual([0])
    runAll()
    // Latest changes halfway: this count is shown but out of date, so it is counted again.
    addLabel(doc, ids[2] as ItemId, { classId, bbox: [5, 5, 10, 10] }, by)
    flushSync()
    for (let i = 0; i < 10 && queued.length > 0 && seen.at(-1) === null; i++) runAll()
    expect(seen.at(-1)).not.toBeNull()
    for (let i = 0; i < 20 && queued.length > 0; i++) runAll()
    expect(seen.at(-1)).toBe(3)
    expect(queued).toEqual([])
    stop()
  })

  it('stops counting when nothing shows the count', () => {
    const { doc, v1 } = setup()
    const { queued, later } = manual()
    const project = new ProjectState(doc, later)
    project.view(v1.id)
    const { stop } = showCount(project)
    expect(queued).toHaveLength(1)
    stop()
    flushSync()
    expect(queued).toEqual([])
  })
})

describe('ProjectState.items on an old version', () => {
  it('lists a version once and keeps the list while switching back and forth', () => {
    const { doc, v1 } = setup()
    addItem(doc, { name: 'img-3.png', blob: SHA, mime: 'image/png', width: 100, height: 100 }, by)
    const project = new ProjectState(doc, manual().later)
    const lists: unknown[] = []
    const stop = $effect.root(() => {
      $effect(() => {
        lists.push(project.items)
      })
    })
    flushSync()
    project.view(v1.id)
    flushSync()
    project.view(null)
    flushSync()
    project.view(v1.id)
    flushSync()
    expect(lists.map((l) => (l as unknown[]).length)).toEqual([4, 3, 4, 3])
    expect(lists[3]).toBe(lists[1])
    stop()
  })
})
