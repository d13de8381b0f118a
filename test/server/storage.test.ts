import path from 'node:path'
import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { hashToken } from '../../sync-server/auth.ts'
import { openPostgresStorage } from '../../sync-server/storage/postgres.ts'
import { openSqliteStorage } from '../../sync-server/storage/sqlite.ts'
import type { Storage } from '../../sync-server/storage/types.ts'
import { tempDir } from './harness.ts'
import { type SuiteHooks, freshDatabases, onFreshDatabases, useHooks } from './postgres.ts'

/** A backend under contract: how a test opens one, and what its file sets up and tears down. */
interface Backend extends SuiteHooks { open(): Promise<Storage> }

const postgres = freshDatabases()

// The contract every Storage backend must meet. PostgreSQL is real, each test on a fresh database.
const backends: Array<[string, Backend]> = [
  ['sqlite', { open: async () => openSqliteStorage(path.join(tempDir(), 'strata.sqlite')) }],
  ['postgres', {
    open: async () => openPostgresStorage(await postgres.pool()),
    ...onFreshDatabases(postgres),
  }],
]

/** A document with `count` keys set one at a time, and the updates it made (it keeps recording). */
const keysSetOneByOne = (count: number): { doc: Y.Doc, updates: Uint8Array[] } => {
  const doc = new Y.Doc({ gc: false })
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  for (let i = 0; i < count; i++) doc.getMap('items').set(`k${i}`, i)
  return { doc, updates }
}

const bytes = async (storage: Storage, room: string): Promise<Uint8Array[]> => (await storage.readLog(room)).map((r) => r.data)

describe.each(backends)('Storage contract: %s', (_name, backend) => {
  useHooks(backend)
  const { open } = backend

  test('appends in order, compacts to one row without losing deleted history, keeps rooms apart', async () => {
    const storage = await open()
    const doc = new Y.Doc({ gc: false })
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    const items = doc.getMap('items')
    for (let i = 0; i < 10; i++) items.set(`k${i}`, i)
    const beforeDelete = Y.snapshot(doc)
    items.delete('k3')
    let prev = 0
    for (const [i, u] of updates.entries()) {
      const row = await storage.appendUpdate('a', u)
      expect(row.rows).toBe(i + 1)
      expect(row.prev).toBe(prev)
      expect(row.seq).toBeGreaterThan(prev)
      prev = row.seq
    }
    await storage.appendUpdate('b', updates[0]!)
    expect(await bytes(storage, 'a')).toEqual(updates)

    await storage.compact('a')
    const rows = await bytes(storage, 'a')
    expect(rows.length).toBe(1)
    const replay = new Y.Doc({ gc: false })
    Y.applyUpdate(replay, rows[0]!)
    expect(replay.getMap('items').toJSON()).toEqual(items.toJSON())
    // The deleted value can still be read through the older snapshot: nothing was GC'd.
    expect(Y.createDocFromSnapshot(replay, beforeDelete).getMap('items').get('k3')).toBe(3)
    expect(replay.getMap('items').has('k3')).toBe(false)
    expect((await storage.readLog('b')).length).toBe(1)
    expect(await storage.readLog('nobody')).toEqual([])
    await storage.close()
  })

  test('leaves a big base row alone while the rows after it are small, then merges all', async () => {
    const storage = await open()
    const doc = new Y.Doc({ gc: false })
    const map = doc.getMap('items')
    doc.transact(() => { for (let i = 0; i < 2000; i++) map.set(`base${i}`, 'x'.repeat(50)) })
    await storage.appendUpdate('r', Y.encodeStateAsUpdate(doc))
    const small: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => small.push(u))
    for (let i = 0; i < 5; i++) map.set(`edit${i}`, i)
    for (const u of small) await storage.appendUpdate('r', u)
    await storage.compact('r')
    const tiered = await bytes(storage, 'r')
    expect(tiered.length).toBe(2)
    const replay = new Y.Doc({ gc: false })
    for (const u of tiered) Y.applyUpdate(replay, u)
    expect(replay.getMap('items').toJSON()).toEqual(map.toJSON())
    // Once the tail reaches a tenth of the base, everything becomes one row.
    small.length = 0
    doc.transact(() => { for (let i = 0; i < 400; i++) map.set(`big${i}`, 'y'.repeat(50)) })
    for (const u of small) await storage.appendUpdate('r', u)
    await storage.compact('r')
    const all = await bytes(storage, 'r')
    expect(all.length).toBe(1)
    const again = new Y.Doc({ gc: false })
    Y.applyUpdate(again, all[0]!)
    expect(again.getMap('items').toJSON()).toEqual(map.toJSON())
    await storage.close()
  })

  test('a reader that has the log up to a seq gets exactly the rest, across compactions', async () => {
    const storage = await open()
    const { doc, updates } = keysSetOneByOne(6)
    const seqs: number[] = []
    for (const u of updates) seqs.push((await storage.appendUpdate('r', u)).seq)
    expect((await storage.readLog('r', seqs[3])).map((r) => r.seq)).toEqual(seqs.slice(4))
    expect(await storage.readLog('r', seqs[5])).toEqual([])

    // A reader at seqs[2] was in the middle of what got merged: it gets the merged row.
    expect(await storage.compact('r')).toBe(true)
    const merged = await storage.readLog('r')
    expect(merged.map((r) => r.seq)).toEqual([seqs[5]])
    const reader = new Y.Doc({ gc: false })
    for (const u of updates.slice(0, 3)) Y.applyUpdate(reader, u)
    for (const row of await storage.readLog('r', seqs[2])) Y.applyUpdate(reader, row.data)
    expect(reader.getMap('items').toJSON()).toEqual(doc.getMap('items').toJSON())
    // New rows follow the merged one, linked to it.
    doc.getMap('items').set('after', 1)
    const next = await storage.appendUpdate('r', updates.at(-1)!)
    expect(next.prev).toBe(seqs[5])
    expect(next.rows).toBe(2)
    await storage.close()
  })

  test('a row of tens of MiB (a first upload) reads back byte for byte, also after a compaction merged it', async () => {
    const storage = await open()
    const doc = new Y.Doc({ gc: false })
    // Incompressible, so the row stays as big as the update: past PostgreSQL's one-piece read.
    const noise = Array.from({ length: 40 * 1024 * 1024 / 16 }, (_, i) => ((i * 2654435761) >>> 0).toString(16).padStart(16, '0')).join('')
    doc.getMap('items').set('big', noise)
    const big = Y.encodeStateAsUpdate(doc)
    expect(big.byteLength).toBeGreaterThan(40 * 1024 * 1024)
    await storage.appendUpdate('big', big)
    const [row] = await storage.readLog('big')
    expect(Buffer.compare(Buffer.from(row!.data), Buffer.from(big))).toBe(0)
    const before = Y.encodeStateVector(doc)
    doc.getMap('items').set('small', 1)
    await storage.appendUpdate('big', Y.encodeStateAsUpdate(doc, before))
    await storage.compact('big')
    const replay = new Y.Doc({ gc: false })
    for (const r of await storage.readLog('big')) Y.applyUpdate(replay, r.data)
    expect(replay.getMap('items').get('big')).toBe(noise)
    expect(replay.getMap('items').get('small')).toBe(1)
    await storage.close()
  }, 120_000)

  test('stores projects and token hashes, and revokes tokens of the right project only', async () => {
    const storage = await open()
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

  test('appends made at once are serialised: each links to the one before it, and readers catch up from any seq', async () => {
    const storage = await open()
    const { doc, updates } = keysSetOneByOne(20)
    const appended = (await Promise.all(updates.map((u) => storage.appendUpdate('r', u)))).sort((x, y) => x.seq - y.seq)
    expect(appended.map((a) => a.prev)).toEqual([0, ...appended.slice(0, -1).map((a) => a.seq)])
    expect(appended.map((a) => a.rows)).toEqual(appended.map((_, i) => i + 1))
    for (const [i, a] of appended.entries()) expect((await storage.readLog('r', a.seq)).map((r) => r.seq)).toEqual(appended.slice(i + 1).map((x) => x.seq))
    const replay = new Y.Doc({ gc: false })
    for (const row of await storage.readLog('r')) Y.applyUpdate(replay, row.data)
    expect(replay.getMap('items').toJSON()).toEqual(doc.getMap('items').toJSON())
    await storage.close()
  })
})
