import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { runHistory } from '../fuzz.ts'
import { ann, bob, image, push, replicaOf, sha, syncAll } from '../helpers.ts'
import { sharded } from './helpers.ts'
import { bytesOf, expectMigrated, expectVersionsAsBefore, heldOf } from './migrated.ts'

const project = { projectId: 'p-cars' }

/** Every write the single-document code can make, versioned, with outstanding work on top; one clock tick per call. */
const builtByTodaysCode = (): { doc: Y.Doc; v1: D.Version; updates: Uint8Array[] } => {
  let now = 1_700_000_000_000
  vi.spyOn(Date, 'now').mockImplementation(() => (now += 1))
  const doc = D.createProject({ name: 'Cars' })
  const updates = [Y.encodeStateAsUpdateV2(doc)]
  doc.on('updateV2', (u: Uint8Array) => updates.push(u))
  D.keepCocoDataset(doc, { info: { year: 2024 }, licenses: [] })
  const car = D.addClass(doc, { name: 'car', coco: { id: 3, supercategory: 'vehicle' } })
  const bus = D.addClass(doc, { name: 'bus' })
  const a = D.addItem(doc, { ...image('a.png'), coco: { id: 1, extra: '{"license":2}' } }, ann)
  const b = D.addItem(doc, image('b.png'), ann)
  const c = D.addItem(doc, image('c.png'), bob)
  const la = D.addLabel(doc, a, { classId: car, bbox: [1, 2, 30, 40], coco: { id: 7, bbox: [1, 2, 30, 40], area: 1200 } }, ann)
  const lb = D.addLabel(doc, b, { classId: bus, bbox: [5, 5, 10, 10] }, ann)
  D.addLabel(doc, c, { classId: bus, bbox: [0, 0, 9, 9] }, bob)
  D.setTag(doc, a, 'night', true)
  const run = D.addRun(doc, { name: 'yolo', model: 'yolov8', blob: sha('run-1'), count: 2 }, ann)
  const v1 = D.createVersion(doc, { name: 'import', description: 'as delivered' }, ann)
  D.updateLabel(doc, a, la, { bbox: [2, 2, 30, 40] }, bob)
  D.updateLabel(doc, b, lb, { classId: car }, bob)
  D.setTag(doc, a, 'night', false)
  D.setTag(doc, b, 'rain', true)
  D.updateClass(doc, bus, { name: 'coach', color: '#123456' })
  D.removeItem(doc, c)
  D.linkItemToCoco(doc, b, { id: 2 })
  D.removeRun(doc, run)
  const gone = D.createVersion(doc, { name: 'cleanup' }, bob)
  D.removeLabel(doc, a, la)
  D.addItem(doc, image('d.png'), ann)
  D.discardChanges(doc, ann)
  D.restoreVersion(doc, v1.id, bob)
  D.createVersion(doc, { name: 'back to import' }, ann)
  // Two replicas apart: Ann labels item a while Bob removes it; both version offline, then merge.
  const other = replicaOf(doc)
  D.addLabel(doc, a, { classId: car, bbox: [3, 3, 5, 5] }, ann)
  const annOffline = D.createVersion(doc, { name: 'ann offline' }, ann)
  D.removeItem(other, a)
  D.addItem(other, image('e.png'), bob)
  D.createVersion(other, { name: 'bob offline' }, bob)
  syncAll(doc, other)
  D.deleteVersion(doc, gone.id, ann)
  D.restoreVersion(doc, annOffline.id, ann)
  D.createVersion(doc, { name: 'merged' }, ann)
  // Outstanding work after the last checkpoint.
  D.setTag(doc, b, 'checked', true)
  D.addItem(doc, image('f.png'), bob)
  return { doc, v1, updates }
}

describe('migrating a schema-1 project to sharded documents', () => {
  afterEach(() => vi.restoreAllMocks())

  it('carries every version over: each opens as before, live and outstanding work equal, diffs equal, the old document untouched', async () => {
    const { doc } = builtByTodaysCode()
    const before = Buffer.from(Y.encodeStateAsUpdateV2(doc)).toString('base64')
    const m = S.migrateProject(doc, project)
    expect(m.skipped).toEqual([])
    expect(m.versions).toBe(8)
    await expectMigrated(doc, m)
    expect(Buffer.from(Y.encodeStateAsUpdateV2(doc)).toString('base64')).toBe(before)
  })

  it('keeps ids, authors, times and COCO links, and records each cut with the old head, base and stats', async () => {
    const { doc, v1 } = builtByTodaysCode()
    const m = S.migrateProject(doc, project)
    const h = heldOf(m)
    const old = D.maps(doc).versions.get(v1.id) as D.VersionRecord
    const cut = D.maps(m.root).versions.get(v1.id) as S.CutRecord
    expect({ ...cut, snapshot: null, shards: null }).toEqual({ ...old, snapshot: null, shards: null })
    expect(cut.shards).toHaveLength(m.shards.length)
    const [item] = (await S.readProject(S.openVersion(h.p, v1.id))).items
    expect(item).toMatchObject({ name: 'a.png', addedBy: ann, coco: { id: 1, extra: '{"license":2}' } })
    expect(item?.labels[0]).toMatchObject({ by: ann, coco: { id: 7, area: 1200 } })
    expect(S.listClasses(h.p).find((c) => c.name === 'car')?.coco).toEqual({ id: 3, supercategory: 'vehicle' })
    expect(D.readProject(m.root).meta).toMatchObject({ schema: S.SHARDED_SCHEMA, name: 'Cars', createdAt: D.readProject(doc).meta.createdAt, coco: D.readProject(doc).meta.coco })
  })

  it('places every item, label and tag in its shard (S by shardsFor), reuses an unchanged shard\'s record, and migrates a project with no versions', async () => {
    const { doc } = builtByTodaysCode()
    const m = S.migrateProject(doc, project)
    expect(m.shards).toHaveLength(S.shardsFor(D.maps(doc).items.size))
    expect(S.shardCount(m.root)).toBe(m.shards.length)
    m.shards.forEach((shard, i) => {
      const s = D.maps(shard)
      for (const id of s.items.keys()) expect(S.shardOf(id, m.shards.length)).toBe(i)
      for (const label of s.labels.values()) expect(S.shardOf(label.itemId, m.shards.length)).toBe(i)
      for (const key of s.tags.keys()) expect(S.shardOf(D.parseTagKey(key)?.itemId ?? '', m.shards.length)).toBe(i)
      expect([s.classes.size, s.runs.size, s.deletedVersions.size]).toEqual([0, 0, 0])
    })
    expect(D.maps(m.root).items.size + D.maps(m.root).labels.size + D.maps(m.root).tags.size).toBe(0)
    // A shard that never changed keeps the first cut's record: every later cut reuses it.
    const states = [D.readProject(doc), ...D.listVersions(doc).map((v) => D.readProject(D.openVersion(doc, v.id)))]
    const used = new Set(states.flatMap((state) => state.items.map((item) => S.shardOf(item.id, m.shards.length))))
    const untouched = m.shards.filter((_, i) => !used.has(i))
    expect(untouched.length).toBeGreaterThan(0)
    for (const shard of untouched) expect(D.maps(shard).versions.size).toBe(1)
    const empty = D.createProject({ name: 'Empty' })
    const fresh = S.migrateProject(empty, { ...project, shards: 4 })
    expect(S.listVersions(heldOf(fresh).p)).toEqual([])
    await expectMigrated(empty, fresh)
  })

  it('reports a version whose snapshot this document does not fully hold, and carries the rest', async () => {
    const doc = D.createProject({ name: 'Cars' })
    D.addItem(doc, image('a.png'), ann)
    const first = D.createVersion(doc, { name: 'first' }, ann)
    const [bobs, carols] = [replicaOf(doc), replicaOf(doc)]
    D.addItem(carols, image('c.png'), bob)
    push(carols, bobs)
    const fromBob: Uint8Array[] = []
    bobs.on('updateV2', (u: Uint8Array) => fromBob.push(u))
    const partial = D.createVersion(bobs, { name: 'with carol' }, bob)
    for (const u of fromBob) Y.applyUpdateV2(doc, u)
    expect(() => D.openVersion(doc, partial.id)).toThrow(D.VersionNotAvailableError)
    const m = S.migrateProject(doc, project)
    expect(m.skipped).toEqual([{ id: partial.id, name: 'with carol', reason: expect.stringMatching(/not reached this device/) }])
    expect(S.listVersions(heldOf(m).p).map((v) => v.id)).toEqual([first.id])
    await expectVersionsAsBefore(doc, m)
    expect(await S.readProject(heldOf(m).p)).toMatchObject({ items: D.readProject(doc).items })
  })

  it('refuses a document that is not schema 1, or keeps no history, writing nothing', () => {
    const root = sharded(4).root
    const state = Y.encodeStateVector(root)
    expect(() => S.migrateProject(root, project)).toThrow(D.SchemaError)
    expect(Y.encodeStateVector(root)).toEqual(state)
    expect(() => S.migrateProject(D.newProjectDoc(), project)).toThrow(/records no schema/)
    const collected = new Y.Doc()
    Y.applyUpdateV2(collected, Y.encodeStateAsUpdateV2(D.createProject({ name: 'Cars' })))
    expect(() => S.migrateProject(collected, project)).toThrow(D.HistoryNotKeptError)
    expect(() => S.migrateProject(D.createProject({ name: 'Cars' }), { ...project, shards: 12 })).toThrow(D.ValidationError)
  })

  it('is deterministic: the same state, however it arrived, gives byte-identical documents that merge into one project', async () => {
    const { doc, updates } = builtByTodaysCode()
    // The same state reached in another order: loaded in one go, as a server loads its log.
    const again = D.newProjectDoc()
    Y.applyUpdateV2(again, Y.encodeStateAsUpdateV2(doc))
    expect(D.readProject(again)).toEqual(D.readProject(doc))
    const [first, second] = [S.migrateProject(doc, project), S.migrateProject(again, project)]
    expect(bytesOf(second)).toEqual(bytesOf(first))
    const merged = heldOf(first)
    push(second.root, merged.root)
    second.shards.forEach((shard, i) => push(shard, merged.shards[i] as Y.Doc))
    expect(bytesOf(first)).toEqual(bytesOf(second))
    // A run over another state (or another project) writes with other client ids: never the same ids for other content.
    const clientsOf = (x: S.Migrated): number[] => [x.root, ...x.shards].flatMap((d) => [...d.store.clients.keys()])
    D.setTag(again, D.listItems(again)[0]?.id as D.ItemId, 'late', true)
    const other = [S.migrateProject(again, project), S.migrateProject(doc, { projectId: 'p-other' })]
    for (const x of other) expect(clientsOf(x).filter((c) => clientsOf(first).includes(c))).toEqual([])
    // The documents handed back write with fresh ids, not the fixed ones.
    expect([first.root, ...first.shards].some((d) => d.store.clients.has(d.clientID))).toBe(false)
  })

  it('leaves a project that keeps working: new versions, discard and restore of a migrated version', async () => {
    const { doc, v1 } = builtByTodaysCode()
    const { p } = heldOf(S.migrateProject(doc, project))
    const want = await S.readProject(S.openVersion(p, v1.id))
    await S.discardChanges(p, ann)
    const item = await S.addItem(p, image('g.png'), ann)
    const v = await S.createVersion(p, { name: 'after migration' }, ann)
    expect(v.base).toBe(D.lastCheckpoint(doc)?.id)
    await S.restoreVersion(p, v1.id, bob)
    expect(await S.readProject(p)).toEqual(want)
    expect((await S.readProject(S.openVersion(p, v.id))).items.map((i) => i.id)).toContain(item)
  })
})

describe('migrating seeded random histories of the single-document code', () => {
  afterEach(() => vi.restoreAllMocks())
  const seeds = Array.from({ length: Number(process.env.STRATA_FUZZ_SEEDS ?? 8) }, (_, i) => i + 1)

  // Replicas received their updates in different orders: most seeds leave their maps' keys and clients in different orders.
  it.each(seeds)('seed %i: every version opens as before, and two replicas migrate to the same bytes', async (seed) => {
    const { net } = runHistory(seed, 150)
    const [a, b] = net.replicas
    if (!a || !b) throw new Error('too few replicas')
    const m = S.migrateProject(a.doc, { projectId: `seed-${seed}`, shards: [1, 4, 16][seed % 3] })
    expect(m.skipped).toEqual([])
    await expectMigrated(a.doc, m)
    expect(bytesOf(S.migrateProject(b.doc, { projectId: `seed-${seed}`, shards: [1, 4, 16][seed % 3] }))).toEqual(bytesOf(m))
  })
})
