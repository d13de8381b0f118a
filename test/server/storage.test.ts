import path from 'node:path'
import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { hashToken } from '../../sync-server/auth.ts'
import { openSqliteStorage } from '../../sync-server/storage/sqlite.ts'
import type { Storage } from '../../sync-server/storage/types.ts'
import { tempDir } from './harness.ts'

// The contract every Storage backend must meet; only SQLite exists today.
const backends: Array<[string, () => Storage]> = [
  ['sqlite', () => openSqliteStorage(path.join(tempDir(), 'strata.sqlite'))],
]

describe.each(backends)('Storage contract: %s', (_name, open) => {
  test('appends in order, compacts to one row without losing deleted history, keeps rooms apart', async () => {
    const storage = open()
    const doc = new Y.Doc({ gc: false })
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    const items = doc.getMap('items')
    for (let i = 0; i < 10; i++) items.set(`k${i}`, i)
    const beforeDelete = Y.snapshot(doc)
    items.delete('k3')
    for (const [i, u] of updates.entries()) expect(await storage.appendUpdate('a', u)).toBe(i + 1)
    await storage.appendUpdate('b', updates[0]!)
    expect(await storage.loadRoom('a')).toEqual(updates)

    await storage.compact('a')
    const rows = await storage.loadRoom('a')
    expect(rows.length).toBe(1)
    const replay = new Y.Doc({ gc: false })
    Y.applyUpdate(replay, rows[0]!)
    expect(replay.getMap('items').toJSON()).toEqual(items.toJSON())
    // The deleted value can still be read through the older snapshot: nothing was GC'd.
    expect(Y.createDocFromSnapshot(replay, beforeDelete).getMap('items').get('k3')).toBe(3)
    expect(replay.getMap('items').has('k3')).toBe(false)
    expect((await storage.loadRoom('b')).length).toBe(1)
    expect(await storage.loadRoom('nobody')).toEqual([])
    await storage.close()
  })

  test('leaves a big base row alone while the rows after it are small, then merges all', async () => {
    const storage = open()
    const doc = new Y.Doc({ gc: false })
    const map = doc.getMap('items')
    doc.transact(() => { for (let i = 0; i < 2000; i++) map.set(`base${i}`, 'x'.repeat(50)) })
    await storage.appendUpdate('r', Y.encodeStateAsUpdate(doc))
    const small: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => small.push(u))
    for (let i = 0; i < 5; i++) map.set(`edit${i}`, i)
    for (const u of small) await storage.appendUpdate('r', u)
    await storage.compact('r')
    const tiered = await storage.loadRoom('r')
    expect(tiered.length).toBe(2)
    const replay = new Y.Doc({ gc: false })
    for (const u of tiered) Y.applyUpdate(replay, u)
    expect(replay.getMap('items').toJSON()).toEqual(map.toJSON())
    // Once the tail reaches a tenth of the base, everything becomes one row.
    small.length = 0
    doc.transact(() => { for (let i = 0; i < 400; i++) map.set(`big${i}`, 'y'.repeat(50)) })
    for (const u of small) await storage.appendUpdate('r', u)
    await storage.compact('r')
    const all = await storage.loadRoom('r')
    expect(all.length).toBe(1)
    const again = new Y.Doc({ gc: false })
    Y.applyUpdate(again, all[0]!)
    expect(again.getMap('items').toJSON()).toEqual(map.toJSON())
    await storage.close()
  })

  test('stores projects and token hashes, and revokes tokens of the right project only', async () => {
    const storage = open()
    await storage.createProject({ id: 'p1', name: 'One', createdAt: 1 })
    await storage.createProject({ id: 'p2', name: 'Two', createdAt: 2 })
    await storage.createToken({ id: 't1', projectId: 'p1', role: 'editor', createdAt: 3, revoked: false }, hashToken('secret'))
    expect(await storage.findToken(hashToken('secret'))).toEqual({ id: 't1', projectId: 'p1', role: 'editor', createdAt: 3, revoked: false })
    expect(await storage.findToken(hashToken('other'))).toBeUndefined()
    expect(await storage.revokeToken('p2', 't1')).toBe(false)
    expect(await storage.revokeToken('p1', 't1')).toBe(true)
    expect((await storage.findToken(hashToken('secret')))?.revoked).toBe(true)
    expect((await storage.listProjects()).map((p) => p.id)).toEqual(['p1', 'p2'])
    await storage.close()
  })
})
