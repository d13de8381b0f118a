import { describe, expect, it } from 'vitest'
import { flushSync } from 'svelte'
import { addItem, createProject, removeItem } from '../../src/domain/index.ts'
import { ProjectState } from '../../src/state/project.svelte.ts'

const by = { id: 'u1', name: 'Ada' }
const image = (name: string) => ({ name, blob: 'c'.repeat(64), mime: 'image/png', width: 10, height: 10 })

describe('ProjectState.items', () => {
  it('lists items once per change of the items map, shared by every reader', () => {
    const doc = createProject({ name: 'Test' })
    const first = addItem(doc, image('a.png'), by)
    const project = new ProjectState(doc)
    const seen: unknown[][] = []
    const stop = $effect.root(() => {
      $effect(() => { seen.push(project.items) })
      $effect(() => { seen.push(project.items) })
    })
    flushSync()
    expect(seen).toHaveLength(2)
    expect(seen[0]).toBe(seen[1])
    addItem(doc, image('b.png'), by)
    flushSync()
    expect(seen).toHaveLength(4)
    expect(seen[2]).toBe(seen[3])
    expect((seen[3] as Array<{ name: string }>).map((i) => i.name)).toEqual(['a.png', 'b.png'])
    removeItem(doc, first)
    flushSync()
    expect((seen.at(-1) as Array<{ name: string }>).map((i) => i.name)).toEqual(['b.png'])
    stop()
  })
})
