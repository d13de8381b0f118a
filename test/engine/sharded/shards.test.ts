import { describe, expect, test } from 'vitest'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { ann } from '../../domain/helpers.ts'
import { addItemIn, names, stoppedAfterEach, until } from './helpers.ts'

const { served, started } = stoppedAfterEach()

describe('a sharded project in the engine: open, held, complete', () => {
  test('a shard never opened here is not held and not complete; opening it loads it once, from storage and the server', async () => {
    const s = await served(8)
    const { engine, storage } = started(s)
    const project = await engine.ready
    expect(engine.count).toBe(8)
    expect(S.shardCount(project.root)).toBe(8)
    expect(engine.held(3)).toBeNull()
    expect(engine.complete(3)).toBe(false)
    await until(() => engine.provider?.synced === true, 'the root synced')

    const [a, b, c] = await Promise.all([engine.open(3), engine.open(3), engine.open(3)])
    expect(a).toBe(b)
    expect(a).toBe(c)
    expect(storage.opened.filter((name) => name === `strata:doc:${s.project.id}.s3`).length).toBe(2) // the load, then the appender
    expect(engine.documents).toBe(1)
    // Online, open answers once the shard synced: its meta came from the server, and it is complete.
    expect(D.maps(a).meta.toJSON()).toEqual({ schema: S.SHARDED_SCHEMA, shard: 3, of: 8 })
    expect(engine.held(3)).toBe(a)
    expect(engine.complete(3)).toBe(true)
    expect(engine.complete(4)).toBe(false)
    // An open of a loaded shard answers the same document without touching storage.
    const before = storage.opened.length
    expect(await engine.open(3)).toBe(a)
    expect(storage.opened.length).toBe(before)
    await expect(engine.open(8)).rejects.toBeInstanceOf(D.NotFoundError)
  })

  test('a project that never reached this device, opened offline, says so', async () => {
    const s = await served(4)
    const { engine } = started(s, undefined, { online: false })
    await expect(engine.ready).rejects.toThrow(/not reached this device/)
  })

  test('two devices converge on the root and several shards, including shards one of them never opened', async () => {
    const s = await served(8)
    const a = started(s).engine
    const b = started(s, undefined, { name: 'Bob' }).engine
    const pa = await a.ready
    const pb = await b.ready
    const cat = S.addClass(pa, { name: 'cat' })
    const inOne = await addItemIn(a, 1, 'one.png')
    await addItemIn(a, 2, 'two.png')
    await addItemIn(a, 5, 'five.png')
    // B opens shard 5 only, and writes on A's item there; A sees it.
    const five = await b.open(5)
    await until(() => names(five).length === 1, 'B has shard 5')
    const itemInFive = [...D.maps(five).items.keys()][0] as D.ItemId
    await until(() => D.maps(pb.root).classes.has(cat), 'B has the class')
    await S.addLabel(pb, itemInFive, { classId: cat, bbox: [1, 2, 3, 4] }, ann)
    await until(() => D.maps(a.held(5) ?? five).labels.size === 1, 'A has B\'s label')
    // Shards B never opened arrive whole when it opens them.
    expect(b.held(1)).toBeNull()
    expect(b.complete(1)).toBe(false)
    const one = await b.open(1)
    expect(names(one)).toEqual(['one.png'])
    expect(b.complete(1)).toBe(true)
    await S.setTag(pb, inOne, 'checked', true)
    await until(async () => JSON.stringify(await S.readProject(pa)) === JSON.stringify(await S.readProject(pb)), 'both read the same project')
    expect((await S.readProject(pb)).items.map((item) => item.name).sort()).toEqual(['five.png', 'one.png', 'two.png'])
    expect([...(await a.open(1)).getMap('tags').keys()].length).toBe(1)
    // Presence is on: each device sees the other on the root.
    await until(() => a.provider?.awareness.getStates().size === 2, 'presence')
  })
})
