import { afterEach, describe, expect, test } from 'vitest'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { shardRoom } from '../../../src/wire.ts'
import { addItemIn, device, deviceStorage, names, servedProject, until } from './helpers.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

describe('a sharded project offline', () => {
  test('writes while the socket is down are stored, survive a restart of the engine, and reach the other device after reconnecting', async () => {
    const s = await servedProject(8)
    cleanup.push(s.close)
    const storage = deviceStorage()
    const first = device(s, storage).engine
    await first.ready
    await first.open(1)
    await first.open(2)
    await until(() => first.provider?.synced === true, 'synced')
    first.network(false)
    await until(() => first.provider?.wsconnected === false, 'offline')
    // Offline, a shard that synced here once is complete; one never synced is not, even once loaded.
    expect(first.complete(1)).toBe(true)
    const p = await first.ready
    const cat = S.addClass(p, { name: 'cat' })
    await addItemIn(first, 1, 'offline-1.png')
    await addItemIn(first, 2, 'offline-2.png')
    expect(names(await first.open(3))).toEqual([])
    expect(first.complete(3)).toBe(false)
    await addItemIn(first, 3, 'offline-3.png')
    await first.close()

    // The engine restarts, still offline, on the same storage.
    const again = device(s, storage, { online: false })
    cleanup.push(() => again.engine.close())
    const q = await again.engine.ready
    expect(again.engine.count).toBe(8)
    expect(D.maps(q.root).classes.has(cat)).toBe(true)
    expect(names(await again.engine.open(1))).toEqual(['offline-1.png'])
    expect(again.engine.complete(1)).toBe(true)
    expect(again.engine.complete(3)).toBe(false)

    // Back online: the shards written offline and not opened since the restart (2 and 3) are sent on their own.
    expect(again.engine.held(2)).toBeNull()
    again.engine.network(true)
    await until(() => again.engine.complete(3), 'shard 3 synced')
    // Our half of the exchange (the answer to the server's sync step 1) follows its step 2: wait for it to be stored there.
    for (const i of [2, 3]) await until(async () => D.maps((await s.server.rooms.get(shardRoom(s.project.id, i))).doc).items.size === 1, `shard ${i} on the server`)
    const other = device(s, undefined, { name: 'Bob' }).engine
    cleanup.push(() => other.close())
    const r = await other.ready
    await until(() => D.maps(r.root).classes.has(cat), 'the class arrived')
    await again.engine.close()
    // Everything reached the server: the other device gets it with the first device gone.
    expect(names(await other.open(1))).toEqual(['offline-1.png'])
    expect(names(await other.open(2))).toEqual(['offline-2.png'])
    expect(names(await other.open(3))).toEqual(['offline-3.png'])
  })
})
