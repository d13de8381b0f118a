import { describe, expect, it } from 'vitest'
import type { ClassId, ItemId, LabelId } from '../../src/domain/index.ts'
import type { Cell } from '../../src/engine/protocol.ts'
import { admit } from '../../src/state/cells.ts'

const cell = (id: string, labels = 1, tags: string[] = []): Cell => ({
  id: id as ItemId, name: `${id}.jpg`, blob: 'b'.repeat(64), mime: 'image/jpeg', width: 640, height: 480, addedAt: 1, addedBy: { id: 'a', name: 'A' },
  tags, predicted: [],
  labels: Array.from({ length: labels }, (_, i) => ({ id: `${id}-l${i}` as LabelId, itemId: id as ItemId, classId: 'c' as ClassId, bbox: [i, 0, 10, 10], by: { id: 'a', name: 'A' }, at: i })),
})

const all = (shown: ReadonlyMap<ItemId, Cell>, incoming: Cell[]): Map<ItemId, Cell> => admit(shown, incoming, Infinity).shown

describe('admit', () => {
  it('keeps the shown object of every unchanged cell, takes the new one of a changed cell and drops cells no longer on screen', () => {
    const shown = all(new Map(), [cell('a'), cell('b'), cell('c')])
    const incoming = [cell('b'), cell('c', 2), cell('d')]
    const next = all(shown, incoming)
    expect([...next.keys()].sort()).toEqual(['b', 'c', 'd'])
    expect(next.get('b' as ItemId)).toBe(shown.get('b' as ItemId))
    expect(next.get('c' as ItemId)).toBe(incoming[1])
    expect(next.get('c' as ItemId)?.labels).toHaveLength(2)
    expect(next.get('d' as ItemId)).toBe(incoming[2])
  })

  it('sees a changed tag or box position as a change', () => {
    const shown = all(new Map(), [cell('a'), cell('b')])
    const moved = cell('b')
    moved.labels[0] = { ...moved.labels[0]!, bbox: [5, 5, 10, 10] }
    const next = all(shown, [cell('a', 1, ['night']), moved])
    expect(next.get('a' as ItemId)).not.toBe(shown.get('a' as ItemId))
    expect(next.get('a' as ItemId)?.tags).toEqual(['night'])
    expect(next.get('b' as ItemId)?.labels[0]?.bbox).toEqual([5, 5, 10, 10])
  })

  it('takes at most `limit` new or changed cells per call, those in view first, until none waits', () => {
    const shown = all(new Map(), [cell('a'), cell('b')])
    const incoming = [cell('a', 3), cell('b'), cell('c'), cell('d'), cell('e')]
    const inView = new Set(['d', 'e', 'a'])
    const first = admit(shown, incoming, 2, (id) => inView.has(id))
    expect(first.waiting).toBe(true)
    // In view and new or changed: a (changed) and d come before c, which is out of view.
    expect([...first.shown.keys()].sort()).toEqual(['a', 'b', 'd'])
    expect(first.shown.get('a' as ItemId)?.labels).toHaveLength(3)
    expect(first.shown.get('b' as ItemId)).toBe(shown.get('b' as ItemId))
    const second = admit(first.shown, incoming, 2, (id) => inView.has(id))
    expect([...second.shown.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(second.waiting).toBe(false)
    expect(second.shown.get('d' as ItemId)).toBe(first.shown.get('d' as ItemId))
  })

  it('shows a changed cell that waits with its last value, not a blank', () => {
    const shown = all(new Map(), [cell('a'), cell('b')])
    const next = admit(shown, [cell('a', 2), cell('b', 2)], 1)
    expect(next.waiting).toBe(true)
    expect(next.shown.size).toBe(2)
    expect(next.shown.get('a' as ItemId)?.labels).toHaveLength(2)
    expect(next.shown.get('b' as ItemId)).toBe(shown.get('b' as ItemId))
  })
})
