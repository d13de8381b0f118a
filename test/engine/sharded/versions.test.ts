import { afterEach, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import type { ShardedProjectEngine } from '../../../src/engine/sharded/engine.ts'
import { ann, bob } from '../../domain/helpers.ts'
import { addItemIn, device, servedProject, until } from './helpers.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const started = (...args: Parameters<typeof device>) => {
  const d = device(...args)
  cleanup.push(() => d.engine.close())
  return d.engine
}

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))
const all = (engine: ShardedProjectEngine): Promise<Y.Doc[]> => Promise.all(Array.from({ length: engine.count }, (_, i) => engine.open(i)))
const labelsIn = (doc: Y.Doc): D.LabelId[] => [...D.maps(doc).labels.keys()] as D.LabelId[]

describe('versions of a sharded project through the engine', () => {
  test('a version is refused while a shard is incomplete: never opened here, or loaded offline but never synced', async () => {
    const s = await servedProject(8)
    cleanup.push(s.close)
    const a = started(s)
    const p = await a.ready
    await addItemIn(a, 0, 'zero.png')
    const refused = S.createVersion(p, { name: 'v1' }, ann)
    await expect(refused).rejects.toBeInstanceOf(D.ShardsIncompleteError)
    await expect(refused).rejects.toMatchObject({ missing: [1, 2, 3, 4, 5, 6, 7] })
    await all(a)
    const v1 = await S.createVersion(p, { name: 'v1' }, ann)
    expect(S.listVersions(p).map((v) => v.id)).toEqual([v1.id])

    // Another device opened seven shards online, then the eighth offline: that one has not synced here.
    const c = started(s, undefined, { name: 'Bob' })
    const q = await c.ready
    await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => c.open(i)))
    c.network(false)
    await c.open(7)
    await addItemIn(c, 3, 'three.png')
    await expect(S.createVersion(q, { name: 'offline' }, bob)).rejects.toMatchObject({ name: 'ShardsIncompleteError', missing: [7] })
  })

  test('a version made after shards were released and reopened opens on the other device exactly as its creator saw it', async () => {
    const s = await servedProject(4)
    cleanup.push(s.close)
    const a = started(s, undefined, { budget: { shards: 4 } })
    const p = await a.ready
    const cat = S.addClass(p, { name: 'cat' })
    const dog = S.addClass(p, { name: 'dog' })
    const items: D.ItemId[][] = []
    for (let i = 0; i < 4; i++) {
      items[i] = [await addItemIn(a, i, `a-${i}.png`), await addItemIn(a, i, `b-${i}.png`)]
      for (const item of items[i] ?? []) for (const x of [1, 20]) await S.addLabel(p, item, { classId: cat, bbox: [x, x, 5, 5] }, ann)
    }
    const v1 = await S.createVersion(p, { name: 'v1' }, ann)
    const atV1 = await S.readProject(p)

    // Changes with deletes in shards 0 and 1, which are then released (the budget drops to 2) and reopened.
    const [zero, one] = [await a.open(0), await a.open(1)]
    await S.removeLabel(p, items[0]?.[0] as D.ItemId, labelsIn(zero)[0] as D.LabelId)
    await S.updateLabel(p, items[0]?.[1] as D.ItemId, labelsIn(zero)[1] as D.LabelId, { classId: dog, bbox: [3, 3, 9, 9] }, ann)
    await S.removeItem(p, items[1]?.[0] as D.ItemId)
    await nextTask()
    await a.open(2)
    await a.open(3)
    await nextTask()
    await a.setBudget({ shards: 2 })
    expect(a.loaded.sort()).toEqual([2, 3])
    await S.setTag(p, items[0]?.[1] as D.ItemId, 'reviewed', true)
    await nextTask()
    await S.removeLabel(p, items[1]?.[1] as D.ItemId, labelsIn(await a.open(1))[0] as D.LabelId)
    expect(a.held(0)).not.toBe(zero)
    expect(a.held(1)).not.toBe(one)

    a.setBudget({ shards: 4 })
    const v2 = await S.createVersion(p, { name: 'v2' }, ann)
    const atV2 = await S.readProject(p)
    // Work after v2, so latest is not what v2 shows.
    await S.removeItem(p, items[2]?.[0] as D.ItemId)
    await S.setTag(p, items[3]?.[0] as D.ItemId, 'later', true)

    const b = started(s, undefined, { name: 'Bob' })
    const q = await b.ready
    const mine = await all(a)
    const theirs = await all(b)
    const same = (x: Y.Doc, y: Y.Doc): boolean => Buffer.from(Y.encodeStateVector(x)).equals(Buffer.from(Y.encodeStateVector(y)))
    await until(() => same(p.root, q.root) && mine.every((doc, i) => same(doc, theirs[i] as Y.Doc)), 'B has everything A has')
    expect(await S.readProject(S.openVersion(q, v2.id))).toEqual(atV2)
    expect(await S.readProject(S.openVersion(q, v1.id))).toEqual(atV1)
    expect(await S.readProject(q)).not.toEqual(atV2)
  })
})
