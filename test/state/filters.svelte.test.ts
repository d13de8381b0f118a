import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import type { ClassId } from '../../src/domain/index.ts'
import type { ListQuery } from '../../src/engine/protocol.ts'
import { ItemFilters } from '../../src/state/filters.svelte.ts'
import { OpenProject } from '../../src/state/openProject.svelte.ts'
import { fakeEngine, stubPage } from './page.ts'

beforeEach(stubPage)
afterEach(() => vi.unstubAllGlobals())

const falsePositives = { label: 'False positives of car in run R on Latest at IoU 0.5', result: 0, selection: { kind: 'detection' as const, classId: 'car', outcomes: ['fp' as const] } }

describe('ItemFilters', () => {
  it('asks the engine for what is set, says whether any filter is on, and clears every one, the outcome too', () => {
    const filters = new ItemFilters()
    expect(filters.active).toBe(false)
    filters.search = 'DOG'
    filters.classId = 'c1' as ClassId
    filters.tag = 'night'
    filters.labels = 'with'
    filters.outcome = falsePositives
    expect(filters.active).toBe(true)
    expect(filters.query).toEqual({ search: 'DOG', classId: 'c1', tag: 'night', labels: 'with', outcome: { result: 0, selection: falsePositives.selection } })
    filters.clear()
    expect(filters.active).toBe(false)
    expect(filters.outcome).toBeNull()
    expect(filters.query).toEqual({ search: '', classId: '', tag: '', labels: 'any', outcome: null })
  })
})

describe('the grid of an open project', () => {
  it('watches one list, for the filters set now, and shows what the engine answers for them', () => {
    const engine = fakeEngine()
    const project = new OpenProject('p1', 't', { id: 'u1', name: 'Ada' }, engine.port, () => undefined)
    flushSync()
    expect(engine.watching('list').map((w) => (w.spec as ListQuery).search)).toEqual([''])
    expect(project.listed).toBe(false)
    engine.say('list', { ids: 'a\nb\nc', allTags: ['blurry'] })
    expect([project.visible, project.allTags, project.listed]).toEqual([['a', 'b', 'c'], ['blurry'], true])

    project.filters.search = 'DOG'
    flushSync()
    expect(engine.watching('list').map((w) => (w.spec as ListQuery).search)).toEqual(['DOG'])
    engine.say('list', { ids: 'b', allTags: ['blurry'] })
    expect(project.visible).toEqual(['b'])
    engine.say('list', { ids: '', allTags: [] })
    expect(project.visible).toEqual([])
    project.close()
    expect(engine.watching('list')).toEqual([])
  })
})
