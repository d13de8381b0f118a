import { describe, expect, test } from 'vitest'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { ShardBudgetError } from '../../../src/engine/sharded/budget.ts'
import type { ShardedProjectEngine } from '../../../src/engine/sharded/engine.ts'
import { addItemIn, names, stoppedAfterEach, until } from './helpers.ts'

const { served, started } = stoppedAfterEach()

/** The most shard documents `engine` held at once, checked on every change it reports. */
const peak = (engine: ShardedProjectEngine): { max: number } => {
  const seen = { max: 0 }
  engine.onChange(() => (seen.max = Math.max(seen.max, engine.documents)))
  return seen
}

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

describe('shards released under a budget, and reopened with nothing lost', () => {
  test('the least recently used unpinned shard goes; writes made just before, and remote writes made meanwhile, are there on reopen', async () => {
    const s = await served(8)
    const a = started(s, undefined, { budget: { shards: 2 } }).engine
    const b = started(s, undefined, { name: 'Bob' }).engine
    const held = peak(a)
    await a.ready
    await until(() => a.provider?.synced === true, 'A synced')
    const unpin = a.pin(0)
    await addItemIn(a, 0, 'zero.png')
    await addItemIn(a, 1, 'one.png')
    expect(a.loaded.sort()).toEqual([0, 1])
    await nextTask()
    // Shard 1 is the least recently used one not pinned: opening 2 releases it.
    await addItemIn(a, 2, 'two.png')
    expect(a.loaded.sort()).toEqual([0, 2])
    expect(a.held(1)).toBeNull()
    expect(a.complete(1)).toBe(true) // all it saw of shard 1 is stored here
    expect(a.provider?.shards.sort()).toEqual([0, 2])
    // A write on shard 2 in the very task before it is released.
    const loadedTwo = a.held(2)
    if (!loadedTwo) throw new Error('shard 2 is not loaded')
    D.setTag(loadedTwo, [...D.maps(loadedTwo).items.keys()][0] as D.ItemId, 'last', true)
    await nextTask()
    await addItemIn(a, 3, 'three.png')
    expect(a.loaded.sort()).toEqual([0, 3])
    // Bob writes shard 1 while A holds it released.
    await addItemIn(b, 1, 'bob.png')
    await until(() => b.provider?.synced === true, 'Bob synced')
    await nextTask()
    const one = await a.open(1)
    expect(names(one)).toEqual(['bob.png', 'one.png'])
    await nextTask()
    const two = await a.open(2)
    expect(names(two)).toEqual(['two.png'])
    expect([...two.getMap('tags').values()]).toEqual([true])
    // Shard 0 was pinned all along: it is the same document, never released.
    expect(a.loaded).toContain(0)
    expect(held.max).toBeLessThanOrEqual(2)
    unpin()
  })

  test('when every held shard is pinned or in use, a further open is refused; none in use is destroyed', async () => {
    const s = await served(8)
    const a = started(s, undefined, { budget: { shards: 2 } }).engine
    const held = peak(a)
    await a.ready
    const unpins = [a.pin(4), a.pin(5)]
    await a.open(4)
    await a.open(5)
    await nextTask()
    await expect(a.open(6)).rejects.toBeInstanceOf(ShardBudgetError)
    unpins.forEach((unpin) => unpin())
    await nextTask()
    // One command's shards are opened together and used at once: a third may not release the two loaded ones it goes with.
    const [one, two] = [await a.open(1), await a.open(2)]
    await nextTask()
    expect(a.loaded.sort()).toEqual([1, 2])
    const together = await Promise.allSettled([a.open(1), a.open(2), a.open(3)])
    expect(together.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    expect(together[2]).toMatchObject({ reason: expect.any(ShardBudgetError) })
    expect(a.loaded.sort()).toEqual([1, 2])
    expect([a.held(1), a.held(2)]).toEqual([one, two])
    // Once that command is over, the next open may release them.
    await nextTask()
    await a.open(3)
    expect(a.loaded.sort()).toEqual([2, 3])
    expect(held.max).toBeLessThanOrEqual(2)
  })

  test('a budget in bytes releases shards as they grow; a read of every shard at once still gets them all', async () => {
    const s = await served(4)
    const a = started(s, undefined, { budget: { shards: 4, bytes: 1 } }).engine
    const p = await a.ready
    for (let i = 0; i < 4; i++) {
      await addItemIn(a, i, `item-${i}.png`)
      await nextTask()
      expect(a.loaded).toEqual([i])
    }
    for (let i = 0; i < 4; i++) {
      expect(names(await a.open(i))).toEqual([`item-${i}.png`])
      await nextTask()
    }
    // A read of every shard at once needs them all: the count budget allows it, so the bytes target gives way.
    expect((await S.listItems(p)).length).toBe(4)
  })
})
