import * as Y from 'yjs'
import * as D from '../src/domain/index.ts'
import { write } from '../src/domain/project.ts'
import { versionRecord } from '../src/domain/versions.ts'
import { prng } from './reference.ts'
import { type ShardedReference, buildSharded, editRound, updateBytes } from './shardReference.ts'
import { collect, heapMB, median, medianTime, time } from './stats.ts'
import { type Row, firstScreen } from './versions.ts'

const bench: D.Actor = { id: 'bench', name: 'Bench' }

/** Above this much heap in use, loading the whole project stops holding the shards it loads. */
const HEAP_CAP = 5.5e9

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

/** Wall time of per-shard jobs on two workers (longest first, each to the less busy worker). */
const twoWorkers = (xs: number[]): number => {
  let a = 0
  let b = 0
  for (const x of [...xs].sort((p, q) => q - p)) {
    if (a <= b) a += x
    else b += x
  }
  return Math.max(a, b)
}

/** What one shard's operations cost, its load included, each timed once (medians are taken across shards). */
interface ShardTimes {
  load: number
  track: number
  screen: number
  diff: number
  smallCut: number
  smallCutBytes: number
  pending: number
  discard: number
  unloadedCut: number
}


const load = (bytes: Uint8Array): Y.Doc => {
  const doc = D.newProjectDoc()
  Y.applyUpdateV2(doc, bytes)
  return doc
}

/** Loads one shard alone and runs its version operations, in an order that leaves each one what it needs. */
const measureShard = (ref: ShardedReference, i: number): ShardTimes => {
  const s = ref.built[i] as ShardedReference['built'][number]
  let doc!: Y.Doc
  const loadMs = time(() => (doc = load(s.bytes)))
  const rand = prng(1000 + i)
  const round = (): void => editRound(doc, rand, ref.classes, [], Date.now())
  const t: ShardTimes = {
    load: loadMs,
    track: time(() => D.trackDeletes(doc)),
    screen: time(() => firstScreen(doc, s.cut[0] as D.VersionId, 100)),
    diff: time(() => D.diffVersions(doc, s.cut[0] as D.VersionId, s.cut[ref.rounds] as D.VersionId)),
    smallCut: 0, smallCutBytes: 0, pending: 0, discard: 0, unloadedCut: 0,
  }
  const first = D.listItems(doc)[0]
  if (first) {
    // Three times, median: one run is easily a GC pause on the garbage the load left.
    const cut = (): void => void write(doc, (m) => m.versions.set(D.newId<D.VersionId>(), versionRecord(doc, { name: 'small edit' }, bench, 'checkpoint')))
    const ms = [0, 1, 2].map((k) => {
      D.setTag(doc, first.id, `bench ${k}`, true)
      let one = 0
      t.smallCutBytes = updateBytes(doc, () => (one = time(cut)))
      return one
    })
    t.smallCut = median(ms)
  }
  round()
  let pending = 0
  t.pending = time(() => (pending = D.pendingChanges(doc).total))
  // A small shard's share of a round can be nothing at all: then there is nothing to discard.
  if (pending > 0) t.discard = time(() => D.discardChanges(doc, bench))
  if (i < 3) t.unloadedCut = time(() => Y.encodeSnapshotV2(Y.createSnapshot(Y.decodeUpdateV2(s.bytes).ds, Y.decodeStateVector(Y.encodeStateVectorFromUpdateV2(s.bytes)))))
  doc.destroy()
  return t
}

interface Loaded {
  loadOne: number
  heapOne: number
  heapAll: number
  /** How many shards were held at once (all of them unless the heap cap was reached). */
  kept: number
  /** Per shard: ms to load it while every shard before it is still held (the whole project loaded). */
  heldLoad: number[]
  /** Per shard, loaded alone and released after: what loading on demand in a worker costs. */
  times: ShardTimes[]
  /** Largest heap in use (garbage included) while the shards were measured one at a time. */
  streamPeak: number
  rootCut: { ms: number; bytes: number }
}

/** Load time and heap of one shard, in a scope of its own so no document it made is still held when the caller measures the heap. */
const loadOneShard = (bytes: Uint8Array, runs: number): { loadOne: number; heapOne: number } => {
  const before = heapMB()
  const docs = [load(bytes)]
  docs.forEach((d) => D.trackDeletes(d))
  const heapOne = heapMB() - before
  docs.pop()?.destroy()
  const loadOne = medianTime(Math.min(runs, 3), () => docs.push(load(bytes)), () => docs.pop()?.destroy())
  docs.pop()?.destroy()
  return { loadOne, heapOne }
}

/** Loads every shard and holds them (while the heap allows): the whole project in memory. */
const holdAll = (ref: ShardedReference): { heldLoad: number[]; heapAll: number; kept: number } => {
  const before = heapMB()
  const held: Y.Doc[] = []
  const heldLoad = ref.built.map((s) => {
    let doc!: Y.Doc
    const ms = time(() => (doc = load(s.bytes)))
    if (process.memoryUsage().heapUsed > HEAP_CAP) doc.destroy()
    else held.push(doc)
    return ms
  })
  const heapAll = heapMB() - before
  const kept = held.length
  for (const doc of held.splice(0)) doc.destroy()
  return { heldLoad, heapAll, kept }
}

/** The project loaded whole, then each shard loaded alone, measured and released. */
const loadAndMeasure = (ref: ShardedReference, runs: number): Loaded => {
  const { loadOne, heapOne } = loadOneShard((ref.built[0] as ShardedReference['built'][number]).bytes, runs)
  const whole = holdAll(ref)
  collect()
  let streamPeak = 0
  const times = ref.built.map((_, i) => {
    const t = measureShard(ref, i)
    streamPeak = Math.max(streamPeak, process.memoryUsage().heapUsed / 1e6)
    return t
  })
  collect()
  return { loadOne, heapOne, ...whole, times, streamPeak, rootCut: rootCut(ref) }
}

/** A cut after an edit in one shard: the root's record names the record every other shard reuses. */
const rootCut = (ref: ShardedReference): { ms: number; bytes: number } => {
  const root = load(ref.root)
  const reused = Object.fromEntries(ref.built.slice(1).map((s, i) => [i + 1, s.cut[ref.rounds]]))
  let ms = 0
  const bytes = updateBytes(root, () => (ms = time(() => write(root, (m) => {
    const record = m.versions.get(ref.cutIds[ref.rounds] as D.VersionId) as D.VersionRecord
    const id = D.newId<D.VersionId>()
    m.versions.set(id, { ...record, name: 'small edit', snapshot: Y.encodeSnapshotV2(D.currentSnapshot(root)) })
    root.getMap('cuts').set(id, reused)
  }))))
  root.destroy()
  return { ms, bytes }
}

/** DESIGN.md's budget at this size: 10k, 100k, or the 1M column above that. */
const budgetAt = (items: number, small: number, mid: number, big: number): number => (items <= 10_000 ? small : items <= 100_000 ? mid : big)

/** Per-shard figures as the table shows them: the sum (one after another), the median and largest shard, and two workers. */
const spread = (what: string, xs: number[], budget?: number): Row[] => [
  { operation: `${what}: all shards, one after another`, value: sum(xs), unit: 'ms', ...(budget === undefined ? {} : { budget }) },
  { operation: `${what}: all shards on two workers (estimate)`, value: twoWorkers(xs), unit: 'ms', ...(budget === undefined ? {} : { budget }) },
  { operation: `${what}: median / largest shard (info)`, value: median(xs), unit: `ms / ${Math.max(...xs).toFixed(1)} ms` },
]

const storageRows = (ref: ShardedReference, l: Loaded): Row[] => {
  const sizes = ref.built.map((s) => s.bytes.byteLength)
  return [
    { operation: 'build, shard by shard (info)', value: ref.buildMs, unit: 'ms' },
    { operation: 'bytes, all shards + root', value: sum(sizes) + ref.root.byteLength, unit: 'B' },
    { operation: 'bytes of one shard: smallest / median (info)', value: Math.min(...sizes), unit: `B / ${median(sizes).toFixed(0)} B` },
    { operation: 'bytes of one shard: largest', value: Math.max(...sizes), unit: 'B' },
    { operation: 'bytes of the root document', value: ref.root.byteLength, unit: 'B' },
    { operation: 'load one shard from bytes', value: l.loadOne, unit: 'ms' },
    ...spread('load from bytes, holding every shard (the whole project)', l.heldLoad).slice(0, 2),
    ...spread('load from bytes, one shard at a time (the others released)', l.times.map((t) => t.load)),
    { operation: 'heap with one shard loaded (running delete set on)', value: l.heapOne, unit: 'MB' },
    { operation: `heap with all shards loaded (${l.kept} of ${ref.shards} held)`, value: l.heapAll, unit: 'MB', budget: budgetAt(ref.items, 100, 600, 1500) },
    { operation: 'heap in use, largest, measuring one shard at a time (garbage included)', value: l.streamPeak, unit: 'MB', budget: budgetAt(ref.items, 100, 600, 1500) },
  ]
}

const versionRows = (ref: ShardedReference, l: Loaded): Row[] => {
  const cuts = ref.cutIds.map((_, r) => r).slice(1)
  const perCut = (f: (s: ShardedReference['built'][number], r: number) => number, root: number[] = []): number[] => cuts.map((r) => sum(ref.built.map((s) => f(s, r))) + (root[r] ?? 0))
  const full = sum(ref.built.map((s) => s.bytes.byteLength)) + ref.root.byteLength
  const bytes = perCut((s, r) => s.recordBytes[r] ?? 0, ref.rootBytes)
  const middle = cuts[Math.floor(cuts.length / 2)] ?? 1
  const changed = median(cuts.map((r) => ref.built.filter((s) => (s.recordMs[r] ?? 0) > 0).length))
  const small = l.times[0] as ShardTimes
  return [
    { operation: `shards changed by one edit round (median of rounds, of ${ref.shards})`, value: changed, unit: 'shards' },
    { operation: 'create a version, every shard changed (median of rounds)', value: median(perCut((s, r) => s.recordMs[r] ?? 0, ref.rootMs)), unit: 'ms', budget: budgetAt(ref.items, 5, 20, 200) },
    ...spread('create a version, every shard changed (middle round)', ref.built.map((s) => s.recordMs[middle] ?? 0)).slice(1),
    { operation: 'of which the snapshots alone: running delete set + encode (median of rounds)', value: median(perCut((s, r) => s.snapshotMs[r] ?? 0)), unit: 'ms' },
    { operation: 'stock Y.snapshot + encode of every shard, last round (info)', value: sum(ref.built.map((s) => s.stockMs)), unit: 'ms' },
    { operation: 'create a version after one tag edit (1 shard record + root record)', value: small.smallCut + l.rootCut.ms, unit: 'ms', budget: budgetAt(ref.items, 5, 20, 200) },
    { operation: 'bytes per version, every shard changed (median of rounds)', value: median(bytes), unit: 'B', baseline: full, budget: full / 100 },
    { operation: 'bytes per version, every shard changed (largest)', value: Math.max(...bytes), unit: 'B', baseline: full, budget: full / 100 },
    { operation: 'bytes per version after one tag edit (1 shard record + root listing the reused ones)', value: small.smallCutBytes + l.rootCut.bytes, unit: 'B', baseline: full, budget: full / 100 },
    { operation: 'snapshot of a stored shard without loading it (decode its update; median of 3 shards)', value: median(l.times.slice(0, 3).map((t) => t.unloadedCut)), unit: 'ms' },
  ]
}

const workRows = (ref: ShardedReference, l: Loaded): Row[] => {
  const t = (k: keyof ShardTimes): number[] => l.times.map((x) => x[k])
  const withLoad = l.times.map((x) => x.load + x.track + x.diff)
  return [
    { operation: 'start the running delete set after a load (median shard)', value: median(t('track')), unit: 'ms' },
    ...spread('outstanding-changes summary, one edit round pending', t('pending'), budgetAt(ref.items, 50, 300, 500)),
    ...spread('diff oldest and newest version (each shard loaded)', t('diff'), budgetAt(ref.items, 100, 1000, 5000)),
    ...spread('diff oldest and newest version, including the load of each shard', withLoad, budgetAt(ref.items, 100, 1000, 5000)).slice(0, 2),
    ...spread('discard one edit round', t('discard'), budgetAt(ref.items, 150, 1500, 2000)),
    { operation: 'open oldest version, first 100 items of one loaded shard (median shard)', value: median(t('screen')), unit: 'ms', budget: budgetAt(ref.items, 100, 300, 300) },
    { operation: 'same, loading that shard from bytes first (median shard)', value: median(l.times.map((x) => x.load + x.screen)), unit: 'ms', budget: budgetAt(ref.items, 100, 300, 300) },
    { operation: 'shards holding the 100 oldest items (the grid in project order)', value: ref.oldestShards, unit: 'shards' },
  ]
}

/** Runs every operation once on a small project, so that no candidate's figures are timed before the JIT. */
export const warmUpShards = (): void => void loadAndMeasure(buildSharded(2_000, 4, 3), 1)

/**
 * One of issue 13's candidate layouts on DESIGN.md's reference project: built shard by shard,
 * then every shard loaded and measured with the domain's own version functions (each shard a
 * document of the schema-1 flat layout, the root holding meta, classes and the cuts). Each
 * operation runs once per shard; medians are across shards. `shards = 1` is today's single document.
 */
export const benchShards = (items: number, runs: number, shards: number, rounds = 20): { title: string; rows: Row[] } => {
  const ref = buildSharded(items, shards, rounds)
  const l = loadAndMeasure(ref, runs)
  collect()
  return { title: `S = ${shards}${shards === 1 ? ' (the single document)' : ''}, ${rounds} rounds`, rows: [...storageRows(ref, l), ...versionRows(ref, l), ...workRows(ref, l)] }
}
