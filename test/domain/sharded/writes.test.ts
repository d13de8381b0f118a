import { describe, expect, it } from 'vitest'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { ann, image } from '../helpers.ts'
import { countTransactions, onlyOnce, recordingOpens, shardsHolding, sharded, statesOf } from './helpers.ts'

describe('placement', () => {
  it('hashes with 32-bit FNV-1a and places by the low bits', () => {
    expect(S.fnv1a('')).toBe(0x811c9dc5)
    expect(S.fnv1a('a')).toBe(0xe40c292c)
    expect(S.fnv1a('foobar')).toBe(0xbf9cf968)
    const id = '3f1c2d4e-0000-4000-8000-000000000000'
    expect(S.shardOf(id, 16)).toBe(S.fnv1a(id) % 16)
    // Low bits: the shard of 4S is the shard of S plus a multiple of S.
    expect(S.shardOf(id, 64) % 16).toBe(S.shardOf(id, 16))
  })

  it('picks about 4,000 items per shard for an import, from 16 to 1,024 shards', () => {
    expect(S.shardsFor(0)).toBe(16)
    expect(S.shardsFor(10_000)).toBe(16)
    expect(S.shardsFor(100_000)).toBe(32)
    expect(S.shardsFor(92_000)).toBe(32)
    expect(S.shardsFor(1_000_000)).toBe(256)
    expect(S.shardsFor(50_000_000)).toBe(1024)
    for (const n of [1, 10_000, 300_000, 2e6]) expect(S.isShardCount(S.shardsFor(n))).toBe(true)
  })
})

describe('createShardedProject', () => {
  it('makes a root and shards that say where they are, gc off everywhere', () => {
    const h = sharded(8)
    expect(D.maps(h.root).meta.toJSON()).toMatchObject({ schema: 2, name: 'Cars', shards: 8 })
    h.shards.forEach((doc, i) => expect(D.maps(doc).meta.toJSON()).toEqual({ schema: 2, shard: i, of: 8 }))
    expect([h.root, ...h.shards].every((doc) => doc.gc === false)).toBe(true)
    expect(S.shardCount(h.root)).toBe(8)
  })

  it('refuses a count that is not a power of two, and shards that do not match the root', () => {
    expect(() => S.createShardedProject({ name: 'x' }, 12)).toThrow(/Shard count must be a power of two/)
    const h = sharded(4)
    expect(() => S.shardedProject(h.root, S.memoryShards(h.shards.slice(0, 2)))).toThrow(/has 4 shards, but 2 were given/)
    expect(() => S.shardCount(D.createProject({ name: 'one doc' }))).toThrow(D.StrataError)
  })
})

describe('writes', () => {
  it('put an item, its labels and tags in the shard its id hashes to, one transaction there and none elsewhere', async () => {
    const h = sharded(4)
    const cls = S.addClass(h.p, { name: 'car' })
    const counts = countTransactions(h)
    const item = await S.addItem(h.p, image('a.png'), ann)
    const home = S.shardOf(item, 4)
    expect(shardsHolding(h, item)).toEqual([home])
    expect(counts).toEqual(onlyOnce(h, false, [home]))
    const label = 'label-1' as D.LabelId
    const steps: Array<() => Promise<unknown>> = [
      () => S.addLabel(h.p, item, { classId: cls, bbox: [0, 0, 10, 10] }, ann, label),
      () => S.setTag(h.p, item, 'day', true),
      () => S.updateLabel(h.p, item, label, { bbox: [1, 1, 5, 5] }, ann),
      () => S.linkItemToCoco(h.p, item, { id: 7 }),
    ]
    for (const step of steps) {
      counts.fill(0)
      await step()
      expect(counts).toEqual(onlyOnce(h, false, [home]))
    }
    const shard = h.shards[home]
    if (!shard) throw new Error('no shard')
    expect(D.maps(shard).labels.get(label)).toMatchObject({ itemId: item, classId: cls, bbox: [1, 1, 5, 5] })
    expect(D.maps(shard).items.get(item)?.coco).toEqual({ id: 7 })
    expect(D.maps(shard).tags.toJSON()).toEqual({ [`${item}:day`]: true })
    expect(h.shards.filter((doc) => doc !== shard).every((doc) => D.maps(doc).labels.size === 0 && D.maps(doc).tags.size === 0)).toBe(true)
    counts.fill(0)
    await S.removeItem(h.p, item)
    expect(counts).toEqual(onlyOnce(h, false, [home]))
    expect([D.maps(shard).items.size, D.maps(shard).labels.size, D.maps(shard).tags.size]).toEqual([0, 0, 0])
  })

  it('write classes and runs to the root alone', () => {
    const h = sharded(4)
    const counts = countTransactions(h)
    const cls = S.addClass(h.p, { name: 'car' })
    S.updateClass(h.p, cls, { name: 'auto' })
    S.addRun(h.p, { name: 'run', model: 'm', blob: image('r').blob, count: 1 }, ann)
    expect(counts).toEqual([3, 0, 0, 0, 0])
    expect(D.listClasses(h.root).map((c) => c.name)).toEqual(['auto'])
  })

  it('add many items in one transaction per shard they land in, shown in the order given', async () => {
    const h = sharded(4)
    const counts = countTransactions(h)
    const names = Array.from({ length: 40 }, (_, i) => `img-${i}.png`)
    const ids = await S.addItems(h.p, names.map((n) => image(n)), ann)
    const touched = [...new Set(ids.map((id) => S.shardOf(id, 4)))]
    expect(counts).toEqual(onlyOnce(h, false, touched))
    ids.forEach((id) => expect(shardsHolding(h, id)).toEqual([S.shardOf(id, 4)]))
    expect((await S.listItems(h.p)).map((i) => i.name)).toEqual(names)
  })

  it('check every record against its schema, a label’s class in the root, and write nothing when refused', async () => {
    const h = sharded(4)
    const cls = S.addClass(h.p, { name: 'car' })
    const item = await S.addItem(h.p, image('a.png', 50), ann)
    const before = statesOf(h)
    await expect(S.addLabel(h.p, item, { classId: 'nope' as D.ClassId, bbox: [0, 0, 1, 1] }, ann)).rejects.toThrow(new D.NotFoundError('No class nope'))
    await expect(S.addLabel(h.p, item, { classId: cls, bbox: [40, 40, 20, 20] }, ann)).rejects.toThrow(/lies outside the 50 x 50 image/)
    await expect(S.addItems(h.p, [image('b.png'), { ...image('c.png'), mime: 'text/html' }], ann)).rejects.toThrow(/Item mime must be an image type/)
    await expect(S.setTag(h.p, item, ' ', true)).rejects.toThrow(D.ValidationError)
    await expect(S.removeItem(h.p, 'nope' as D.ItemId)).rejects.toThrow(D.NotFoundError)
    expect(statesOf(h)).toEqual(before)
  })
})

describe('an opened version', () => {
  it('refuses every write command with ReadOnlyError, loads no shard for it and changes nothing', async () => {
    const h = sharded(4)
    const cls = S.addClass(h.p, { name: 'car' })
    const item = await S.addItem(h.p, image('a.png'), ann)
    const label = await S.addLabel(h.p, item, { classId: cls, bbox: [0, 0, 10, 10] }, ann)
    const run = S.addRun(h.p, { name: 'run', model: 'm', blob: image('r').blob, count: 1 }, ann)
    const v = await S.createVersion(h.p, { name: 'v1' }, ann)
    await S.setTag(h.p, item, 'late', true)
    const seen = recordingOpens(h.p.shards)
    const old = S.openVersion({ root: h.root, shards: seen.shards }, v.id)
    const writes: Array<() => unknown> = [
      () => S.addItem(old, image('c.png'), ann),
      () => S.addItems(old, [image('d.png')], ann),
      () => S.removeItem(old, item),
      () => S.linkItemToCoco(old, item, { id: 1 }),
      () => S.addLabel(old, item, { classId: cls, bbox: [0, 0, 1, 1] }, ann),
      () => S.updateLabel(old, item, label, { bbox: [0, 0, 1, 1] }, ann),
      () => S.removeLabel(old, item, label),
      () => S.setTag(old, item, 'x', true),
      () => S.addClass(old, { name: 'truck' }),
      () => S.updateClass(old, cls, { name: 'auto' }),
      () => S.addRun(old, { name: 'run 2', model: 'm', blob: image('r').blob, count: 1 }, ann),
      () => S.removeRun(old, run),
      () => S.deleteVersion(old, v.id, ann),
      () => S.createVersion(old, { name: 'v2' }, ann),
      () => S.discardChanges(old, ann),
      () => S.restoreVersion(old, v.id, ann),
    ]
    const before = statesOf(h)
    for (const w of writes) await expect((async () => w())()).rejects.toThrow(D.ReadOnlyError)
    expect(statesOf(h)).toEqual(before)
    expect(seen.opened.size).toBe(0)
    // A shard view reached directly refuses too.
    const shard = await old.shards.open(S.shardOf(item, 4))
    expect(() => D.setTag(shard, item, 'x', true)).toThrow(D.ReadOnlyError)
    expect(D.isReadOnly(old.root)).toBe(true)
  })
})
