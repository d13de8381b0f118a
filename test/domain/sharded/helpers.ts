import * as Y from 'yjs'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { ann, image, push } from '../helpers.ts'

/** A sharded project held in memory: its project handle and its documents (root first). */
export interface Held {
  p: S.ShardedProject
  root: Y.Doc
  shards: Y.Doc[]
}

/** A new sharded project of `count` shards, all held and complete unless `complete` says otherwise. */
export const sharded = (count = 4, complete?: (i: number) => boolean): Held => {
  const { root, shards } = S.createShardedProject({ name: 'Cars' }, count)
  return { p: S.shardedProject(root, S.memoryShards(shards, complete)), root, shards }
}

/** Another replica of a held project, with all of its state. */
export const replicaOf = (h: Held, complete?: (i: number) => boolean): Held => {
  const copy = (doc: Y.Doc): Y.Doc => {
    const c = D.newProjectDoc()
    push(doc, c)
    return c
  }
  const root = copy(h.root)
  const shards = h.shards.map(copy)
  return { p: S.shardedProject(root, S.memoryShards(shards, complete)), root, shards }
}

/** Brings every document of `to` up to date with `from`'s. */
export const pushAll = (from: Held, to: Held): void => {
  push(from.root, to.root)
  from.shards.forEach((doc, i) => push(doc, to.shards[i] as Y.Doc))
}

/** Counts the transactions on each document, root first. */
export const countTransactions = (h: Held): number[] => {
  const docs = [h.root, ...h.shards]
  const counts = docs.map(() => 0)
  docs.forEach((doc, i) => doc.on('afterTransaction', () => void (counts[i] = (counts[i] ?? 0) + 1)))
  return counts
}

/** The transaction counts expected when only `root` and the shards listed in `shards` are written, once each. */
export const onlyOnce = (h: Held, root: boolean, shards: number[]): number[] => [root ? 1 : 0, ...h.shards.map((_, i) => (shards.includes(i) ? 1 : 0))]

/** `shards` with every `open` recorded: which shards a read or write reached. */
export const recordingOpens = (shards: S.Shards): { shards: S.Shards; opened: Set<number> } => {
  const opened = new Set<number>()
  return {
    opened,
    shards: { count: shards.count, held: (i) => shards.held(i), complete: (i) => shards.complete(i), open: (i) => (opened.add(i), shards.open(i)) },
  }
}

/** Every document's state vector, for "nothing was written" assertions. */
export const statesOf = (h: Held): string[] => [h.root, ...h.shards].map((doc) => Buffer.from(Y.encodeStateVector(doc)).toString('hex'))

/** The documents holding `itemId` as an item (there must be exactly one). */
export const shardsHolding = (h: Held, itemId: D.ItemId): number[] => h.shards.flatMap((doc, i) => (D.maps(doc).items.has(itemId) ? [i] : []))

/** Adds items until one lands in shard `i` (ids are random: a few tries for a few shards). */
export const itemIn = async (h: Held, i: number): Promise<D.ItemId> => {
  for (let n = 0; ; n++) {
    const id = await S.addItem(h.p, image(`in-${i}-${n}.png`), ann)
    if (S.shardOf(id, h.shards.length) === i) return id
  }
}

/** A project with its schema number blanked: schema 1 and the sharded root record different ones. */
export const comparableProject = (j: D.ProjectJson) => ({ ...j, meta: { ...j.meta, schema: 0 } })

const byJson = <T>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
const keys = (k: { added: readonly string[]; removed: readonly string[]; changed: readonly string[] }) => ({ added: byJson(k.added), removed: byJson(k.removed), changed: byJson(k.changed) })

/** A summary with lists sorted and without the root's `shards` field, which schema 1 has not: comparable across layouts. */
export const comparableSummary = (s: D.ChangeSummary) => {
  const meta = s.meta.filter((k) => k !== 'shards')
  return {
    meta, classes: keys(s.classes), items: keys(s.items), labels: keys(s.labels), runs: keys(s.runs),
    tags: { added: byJson(s.tags.added), removed: byJson(s.tags.removed) }, total: s.total - (s.meta.length - meta.length),
  }
}
/** A diff with its lists sorted: comparable across layouts. */
export const comparableDiff = (d: D.ProjectDiff) => ({
  summary: comparableSummary(d.summary),
  items: [...d.items].sort((a, b) => (a.id < b.id ? -1 : 1)).map((i) => ({
    ...i, fields: [...i.fields].sort(),
    labels: { added: byJson(i.labels.added), removed: byJson(i.labels.removed), changed: byJson(i.labels.changed) },
    tags: { added: [...i.tags.added].sort(), removed: [...i.tags.removed].sort() },
  })),
})
