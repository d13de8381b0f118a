import * as Y from 'yjs'
import { createHash } from 'node:crypto'
import * as D from '../src/domain/index.ts'
import { write } from '../src/domain/project.ts'
import { ITEM } from '../src/domain/items.ts'
import { LABEL, requireBBox } from '../src/domain/labels.ts'
import { requireRecord } from '../src/domain/rules.ts'
import { versionRecord } from '../src/domain/versions.ts'
import { shardOf } from '../src/domain/sharded/placement.ts'
import { prng } from './reference.ts'
import { time } from './stats.ts'

const bench: D.Actor = { id: 'bench', name: 'Bench' }

/** A UUID-shaped id from a seeded PRNG, so every candidate places the same items. */
const seededId = <T extends string>(rand: () => number): T => {
  const hex = Array.from({ length: 4 }, () => Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}` as T
}

interface PlannedItem { id: D.ItemId; n: number }

/** What one shard's build left: its bytes and, per cut, the record it uses and what that cost. */
export interface BuiltShard {
  bytes: Uint8Array
  /** Per cut (0 = import): the version id of the shard record the cut uses (an earlier one when the shard had not changed). */
  cut: D.VersionId[]
  /** Per cut: ms to make and store the shard's record (running delete set + pending summary); 0 when reused. */
  recordMs: number[]
  /** Per cut: bytes of the update that stored the record; 0 when reused. */
  recordBytes: number[]
  /** Per cut: ms of the running-delete-set snapshot + encode alone. */
  snapshotMs: number[]
  /** ms of the stock `Y.snapshot` + encode at the last cut. */
  stockMs: number
}

export interface ShardedReference {
  shards: number
  items: number
  rounds: number
  classes: D.ClassId[]
  cutIds: D.VersionId[]
  root: Uint8Array
  /** Per cut: ms and update bytes of the root's record (its own snapshot plus the list of reused shard records). */
  rootMs: number[]
  rootBytes: number[]
  built: BuiltShard[]
  buildMs: number
  /** How many shards hold the 100 oldest items (the grid's first screen in project order). */
  oldestShards: number
}

const box = (rand: () => number): D.BBox => [Math.floor(rand() * 500), Math.floor(rand() * 400), 10 + Math.floor(rand() * 100), 10 + Math.floor(rand() * 60)]

/** `x` rounded up or down at random in proportion, so small shards get their share of a round on average. */
const share = (rand: () => number, x: number): number => Math.floor(x) + (rand() < x - Math.floor(x) ? 1 : 0)

const T0 = Date.UTC(2026, 0, 1)
const blobOf = (n: number): string => createHash('sha256').update(`image-${n}`).digest('hex')

/** Writes an item with three labels, the records the domain's `addItem` and `addLabel` store (the id chosen first, so it can be placed). */
const addItem = (doc: Y.Doc, rand: () => number, classes: D.ClassId[], { id, n }: PlannedItem): void =>
  write(doc, (m) => {
    const item = requireRecord(ITEM, { name: `img_${n}.jpg`, blob: blobOf(n), mime: 'image/jpeg', width: 640, height: 480, addedAt: T0 + n, addedBy: bench })
    m.items.set(id, item)
    for (let l = 0; l < 3; l++) {
      const classId = classes[Math.floor(rand() * classes.length)] as D.ClassId
      m.labels.set(seededId<D.LabelId>(rand), requireRecord(LABEL, { itemId: id, classId, bbox: requireBBox(box(rand), item), by: bench, at: T0 + n + l / 4 }))
    }
  }, D.IMPORT)

/** One round's share of DESIGN.md's edit round: 1% of labels moved or reclassified, 0.5% deleted, and the new items placed here. */
export const editRound = (doc: Y.Doc, rand: () => number, classes: D.ClassId[], added: PlannedItem[], at: number): void =>
  write(doc, (m) => {
    const ids = [...m.labels.keys()] as D.LabelId[]
    const pick = (): D.LabelId => ids[Math.floor(rand() * ids.length)] as D.LabelId
    for (let i = share(rand, ids.length * 0.01); i > 0; i--) {
      const id = pick()
      const label = m.labels.get(id)
      const item = label && m.items.get(label.itemId)
      if (!label || !item) continue
      const patch = rand() < 0.5 ? { bbox: requireBBox(box(rand), item) } : { classId: classes[Math.floor(rand() * classes.length)] as D.ClassId }
      m.labels.set(id, requireRecord(LABEL, { ...label, ...patch, by: bench, at }))
    }
    for (let i = share(rand, ids.length * 0.005); i > 0; i--) {
      const id = pick()
      const label = m.labels.get(id)
      if (label) D.removeLabel(doc, label.itemId, id)
    }
    for (const item of added) addItem(doc, rand, classes, item)
  }, D.LOCAL)

/** Bytes of the updates `fn` makes on `doc`. */
export const updateBytes = (doc: Y.Doc, fn: () => unknown): number => {
  let bytes = 0
  const count = (u: Uint8Array): void => void (bytes += u.byteLength)
  doc.on('updateV2', count)
  fn()
  doc.off('updateV2', count)
  return bytes
}

/** Makes the shard's record of cut `r` if it changed since its last one; the domain's own `versionRecord`. */
const recordCut = (doc: Y.Doc, s: BuiltShard, cutIds: D.VersionId[], r: number, changed: boolean): void => {
  const id = cutIds[r] as D.VersionId
  let made = changed
  let ms = 0
  const bytes = updateBytes(doc, () => {
    if (!changed) return
    ms = time(() => {
      try {
        write(doc, (m) => m.versions.set(id, versionRecord(doc, { name: `cut ${r}` }, bench, 'checkpoint')))
      } catch (e) {
        // Writes that cancel out (a label moved and moved back) leave nothing to record.
        if (!(e instanceof D.NoChangesError)) throw e
        made = false
      }
    })
  })
  s.cut.push(made ? id : (s.cut[r - 1] as D.VersionId))
  s.recordMs.push(ms)
  s.recordBytes.push(bytes)
  s.snapshotMs.push(time(() => Y.encodeSnapshotV2(D.currentSnapshot(doc))))
}

/** Builds one shard alone (import, then every round with a cut after each) and keeps only its bytes. */
const buildShard = (index: number, plan: PlannedItem[][], classes: D.ClassId[], cutIds: D.VersionId[], seed: number): BuiltShard => {
  const rand = prng(seed * 7919 + index)
  const doc = D.newProjectDoc()
  D.trackDeletes(doc)
  let dirty = false
  doc.on('afterTransaction', (tr: Y.Transaction) => (dirty ||= tr.changed.size > 0 || tr.deleteSet.clients.size > 0))
  const s: BuiltShard = { bytes: new Uint8Array(), cut: [], recordMs: [], recordBytes: [], snapshotMs: [], stockMs: 0 }
  for (const item of plan[0] ?? []) addItem(doc, rand, classes, item)
  for (let r = 0; r < plan.length; r++) {
    if (r > 0) editRound(doc, rand, classes, plan[r] ?? [], T0 + 10_000_000 * r)
    recordCut(doc, s, cutIds, r, dirty)
    dirty = false
  }
  s.stockMs = time(() => Y.encodeSnapshotV2(Y.snapshot(doc)))
  s.bytes = Y.encodeStateAsUpdateV2(doc)
  doc.destroy()
  return s
}

/** Every item the reference ever adds, by round (0 = the import), placed in its shard. */
const planItems = (items: number, rounds: number, shards: number, seed: number): PlannedItem[][][] => {
  const rand = prng(seed)
  const plan = Array.from({ length: shards }, () => Array.from({ length: rounds + 1 }, (): PlannedItem[] => []))
  let n = 0
  for (let r = 0; r <= rounds; r++) {
    for (let i = r === 0 ? items : Math.ceil(items * 0.005); i > 0; i--) {
      const id = seededId<D.ItemId>(rand)
      plan[shardOf(id, shards)]?.[r]?.push({ id, n: n++ })
    }
  }
  return plan
}

/** The root's record of a cut: its own snapshot, and which shards reuse an earlier shard record. */
const recordRoot = (root: Y.Doc, ref: ShardedReference, r: number): void => {
  const id = ref.cutIds[r] as D.VersionId
  let ms = 0
  ref.rootBytes.push(updateBytes(root, () => (ms = time(() => write(root, (m) => {
    const reused = Object.fromEntries(ref.built.flatMap((s, i) => (s.cut[r] === id ? [] : [[i, s.cut[r]]])))
    const snapshot = Y.encodeSnapshotV2(D.currentSnapshot(root))
    // The shards' records hold the counts; the root's are left at zero, which costs the same bytes.
    const stats = { items: 0, labels: 0, tags: 0, runs: 0, classes: ref.classes.length, added: 0, removed: 0, changed: 0 }
    m.versions.set(id, { name: `cut ${r}`, description: '', by: bench, at: T0 + r, kind: 'checkpoint', snapshot, base: ref.cutIds[r - 1] ?? null, stats })
    root.getMap('cuts').set(id, reused)
  })))))
  ref.rootMs.push(ms)
}

/**
 * DESIGN.md's reference project (N items × 3 labels, `rounds` edit rounds, a cut after each)
 * as a root document and `shards` shard documents, built one shard at a time so no document
 * ever holds more than its share. Each shard keeps its own records of the cuts in its
 * `versions` map (keyed by the cut's id), so the domain's version functions run on it as is.
 */
export const buildSharded = (items: number, shards: number, rounds = 20, seed = 7): ShardedReference => {
  const start = performance.now()
  const root = D.createProject({ name: `Reference ${items}, ${shards} shards` })
  const classes = Array.from({ length: 10 }, (_, i) => D.addClass(root, { name: `class ${i}` }))
  const ids = prng(seed + 1)
  const cutIds = Array.from({ length: rounds + 1 }, () => seededId<D.VersionId>(ids))
  const plan = planItems(items, rounds, shards, seed)
  const oldestShards = plan.filter((p) => p[0]?.some((item) => item.n < 100)).length
  const ref: ShardedReference = { shards, items, rounds, classes, cutIds, root: new Uint8Array(), rootMs: [], rootBytes: [], built: [], buildMs: 0, oldestShards }
  plan.forEach((p, i) => ref.built.push(buildShard(i, p, classes, cutIds, seed)))
  for (let r = 0; r <= rounds; r++) recordRoot(root, ref, r)
  ref.root = Y.encodeStateAsUpdateV2(root)
  root.destroy()
  ref.buildMs = performance.now() - start
  return ref
}
