import { describe, expect, it } from 'vitest'
import { flushSync } from 'svelte'
import { addClass, addItem, addLabel, createProject, setTag } from '../../src/domain/index.ts'
import { ProjectState } from '../../src/state/project.svelte.ts'
import { ItemFilters } from '../../src/state/filters.svelte.ts'

const by = { id: 'u1', name: 'Ada' }
const SHA = 'b'.repeat(64)

describe('ItemFilters', () => {
  it('filters by text, class, tag and labels, and follows edits', () => {
    const doc = createProject({ name: 'Test' })
    const cat = addClass(doc, { name: 'cat' })
    const dog = addClass(doc, { name: 'dog' })
    const [a, b, c] = ['cat-1.png', 'dog-1.png', 'empty.png'].map((name) => addItem(doc, { name, blob: SHA, mime: 'image/png', width: 50, height: 50 }, by))
    addLabel(doc, a as never, { classId: cat, bbox: [0, 0, 10, 10] }, by)
    addLabel(doc, b as never, { classId: dog, bbox: [0, 0, 10, 10] }, by)
    setTag(doc, c as never, 'blurry', true)
    const filters = new ItemFilters(new ProjectState(doc))
    let names: string[] = []
    const stop = $effect.root(() => {
      $effect(() => {
        names = filters.visible.map((i) => i.name).sort()
      })
    })
    flushSync()
    expect(names).toEqual(['cat-1.png', 'dog-1.png', 'empty.png'])
    filters.search = 'DOG'
    flushSync()
    expect(names).toEqual(['dog-1.png'])
    filters.search = ''
    filters.labels = 'without'
    flushSync()
    expect(names).toEqual(['empty.png'])
    filters.labels = 'any'
    filters.classId = cat
    flushSync()
    expect(names).toEqual(['cat-1.png'])
    addLabel(doc, b as never, { classId: cat, bbox: [10, 10, 10, 10] }, by)
    flushSync()
    expect(names).toEqual(['cat-1.png', 'dog-1.png'])
    filters.clear()
    filters.tag = 'blurry'
    flushSync()
    expect(names).toEqual(['empty.png'])
    expect(filters.allTags).toEqual(['blurry'])
    stop()
  })

  it('an outcome filter from the Quality view keeps its items, combines with the others, and is removable', () => {
    const doc = createProject({ name: 'Test' })
    const [a, , c] = ['a.png', 'b.png', 'c.png'].map((name) => addItem(doc, { name, blob: SHA, mime: 'image/png', width: 50, height: 50 }, by))
    setTag(doc, c as never, 'night', true)
    const filters = new ItemFilters(new ProjectState(doc))
    let names: string[] = []
    const stop = $effect.root(() => {
      $effect(() => {
        names = filters.visible.map((i) => i.name).sort()
      })
    })
    filters.outcome = { label: 'False positives of car in run R on Latest at IoU 0.5', items: new Set([a as string, c as string, 'gone']) }
    flushSync()
    expect(names).toEqual(['a.png', 'c.png'])
    expect(filters.active).toBe(true)
    filters.tag = 'night'
    flushSync()
    expect(names).toEqual(['c.png'])
    filters.clear()
    flushSync()
    expect(filters.outcome).toBeNull()
    expect(names).toEqual(['a.png', 'b.png', 'c.png'])
    stop()
  })
})
