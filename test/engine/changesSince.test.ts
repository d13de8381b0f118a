import { afterEach, describe, expect, it, vi } from 'vitest'
import { type ItemId, type VersionId, addClass, addItem, addLabel, createProject, createVersion, diffVersions, openVersion, sourceOf, updateLabel } from '../../src/domain/index.ts'
import { ChangesSince } from '../../src/engine/changesSince.ts'
import { connectTab } from './memory.ts'
import { record } from './hosted.ts'

const by = { id: 'u1', name: 'Ada' }
const SHA = 'c'.repeat(64)

const setup = () => {
  const doc = createProject({ name: 'Test' })
  const classId = addClass(doc, { name: 'cat' })
  const ids = [0, 1, 2].map((i) => addItem(doc, { name: `img-${i}.png`, blob: SHA, mime: 'image/png', width: 100, height: 100 }, by)) as [ItemId, ItemId, ItemId]
  const labelIds = ids.map((id) => addLabel(doc, id, { classId, bbox: [1, 1, 10, 10] }, by))
  const v1 = createVersion(doc, { name: 'v1' }, by)
  const at = sourceOf(openVersion(doc, v1.id)).at
  if (!at) throw new Error('a version has a snapshot')
  return { doc, classId, ids, labelIds, v1, at }
}

/** A count whose timers the test runs; `counted` is how many counts finished. */
const counter = () => {
  let counted = 0
  const changes = new ChangesSince(() => counted++)
  return { changes, counted: () => counted }
}

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('ChangesSince', () => {
  it('is counted once per version, after the first answer, and kept while latest does not change', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { doc, classId, ids, labelIds, v1, at } = setup()
    updateLabel(doc, ids[0], labelIds[0]!, { bbox: [2, 2, 10, 10] }, by)
    addLabel(doc, ids[1], { classId, bbox: [5, 5, 10, 10] }, by)
    const { changes, counted } = counter()
    expect(changes.of(doc, v1.id, at)).toBeNull()
    expect(vi.getTimerCount()).toBe(1)

    vi.runOnlyPendingTimers()
    expect(counted()).toBe(1)
    expect(changes.of(doc, v1.id, at)).toBe(2)
    expect(diffVersions(doc, v1.id, 'latest').summary.total).toBe(2)
    // Asked again (the tab went to latest and back): nothing is counted twice.
    expect(changes.of(doc, v1.id, at)).toBe(2)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('recounts after latest changed, answering the last count meanwhile and waiting between recounts', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { doc, classId, ids, v1, at } = setup()
    const { changes, counted } = counter()
    changes.of(doc, v1.id, at)
    vi.runOnlyPendingTimers()
    expect(changes.of(doc, v1.id, at)).toBe(0)

    addLabel(doc, ids[2], { classId, bbox: [5, 5, 10, 10] }, by)
    changes.latestChanged()
    addLabel(doc, ids[2], { classId, bbox: [6, 6, 10, 10] }, by)
    changes.latestChanged()
    expect(changes.of(doc, v1.id, at)).toBe(0)
    expect(changes.of(doc, v1.id, at)).toBe(0)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(500)
    expect(counted()).toBe(1)
    vi.advanceTimersByTime(600)
    expect(counted()).toBe(2)
    expect(changes.of(doc, v1.id, at)).toBe(2)
  })

  it('counts in slices with a pause between them, and a count cut short by an edit is counted again', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { doc, classId, ids, labelIds, v1, at } = setup()
    updateLabel(doc, ids[0], labelIds[0]!, { bbox: [2, 2, 10, 10] }, by)
    addLabel(doc, ids[1], { classId, bbox: [5, 5, 10, 10] }, by)
    // Every clock read is 11 ms later: each slice does one step of the count and yields.
    let now = 0
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 11))
    const { changes, counted } = counter()
    expect(changes.of(doc, v1.id, at)).toBeNull()
    vi.advanceTimersToNextTimer()
    expect(counted()).toBe(0)
    expect(vi.getTimerCount()).toBe(1)

    // Latest changes halfway: this count is answered but out of date, so it is counted again.
    addLabel(doc, ids[2], { classId, bbox: [5, 5, 10, 10] }, by)
    changes.latestChanged()
    for (let i = 0; i < 20 && counted() === 0; i++) vi.advanceTimersToNextTimer()
    expect(counted()).toBe(1)
    expect(changes.of(doc, v1.id, at)).not.toBeNull()
    vi.runAllTimers()
    expect(counted()).toBe(2)
    expect(changes.of(doc, v1.id, at)).toBe(3)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stops counting when stopped (the tab closed)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { doc, v1, at } = setup()
    const { changes, counted } = counter()
    changes.of(doc, v1.id, at)
    changes.stop()
    expect(vi.getTimerCount()).toBe(0)
    vi.runAllTimers()
    expect(counted()).toBe(0)
  })
})

describe('the changesSince topic', () => {
  it('tells a tab on an old version how much latest changed since, and follows latest', async () => {
    const { doc, classId, ids, v1 } = setup()
    addLabel(doc, ids[0], { classId, bbox: [5, 5, 10, 10] }, by)
    const tab = connectTab(doc)
    try {
      await tab.link.call('show', v1.id as VersionId)
      const counts = record(tab.link, 'changesSince', null)
      await vi.waitFor(() => expect(counts.values.at(-1)).toBe(1))
      expect(counts.values).toEqual([null, 1])
      addLabel(doc, ids[1], { classId, bbox: [5, 5, 10, 10] }, by)
      await vi.waitFor(() => expect(counts.values.at(-1)).toBe(2), { timeout: 3_000 })
      await tab.link.call('show', null)
      await vi.waitFor(() => expect(counts.values.at(-1)).toBe(0))
    } finally {
      tab.close()
    }
  })
})
