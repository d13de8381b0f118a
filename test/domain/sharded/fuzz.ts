import { vi } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { prng, seededUuid } from '../fuzz.ts'
import { image, push } from '../helpers.ts'

/** One replica of a sharded project: its documents (root first), each relaying its own updates, tagged with the document. */
export interface Replica {
  docs: Y.Doc[]
  p: S.ShardedProject
  online: boolean
  inbox: Array<{ doc: number; update: Uint8Array }>
  who: D.Actor
}

/** Replicas relaying per-document updates through inboxes delivered in random order; a shard is complete when none of its updates wait. */
export class ShardedNetwork {
  readonly replicas: Replica[] = []
  constructor(private readonly rand: () => number, count: number, seed: number, shards: number) {
    const created = S.createShardedProject({ name: 'Fuzz' }, shards)
    const first = [created.root, ...created.shards]
    for (let i = 0; i < count; i++) {
      const docs = i === 0 ? first : first.map((doc) => {
        const copy = D.newProjectDoc()
        push(doc, copy)
        return copy
      })
      const inbox: Replica['inbox'] = []
      const p = S.shardedProject(docs[0] as Y.Doc, S.memoryShards(docs.slice(1), (k) => !inbox.some((e) => e.doc === k + 1)))
      const replica: Replica = { docs, p, online: true, inbox, who: { id: `u${i}`, name: `User ${i}` } }
      docs.forEach((doc, d) => {
        doc.clientID = seed * 10_000 + i * 100 + d + 1
        doc.on('updateV2', (update: Uint8Array, origin: unknown) => {
          if (origin === D.REMOTE || !replica.online) return
          for (const peer of this.replicas) if (peer !== replica && peer.online) peer.inbox.push({ doc: d, update })
        })
      })
      this.replicas.push(replica)
    }
  }

  pick<T>(list: readonly T[]): T | undefined {
    return list.length ? list[Math.floor(this.rand() * list.length)] : undefined
  }

  /** Applies a random share of a replica's inbox, in random order across its documents. */
  deliver(r: Replica, all = false): void {
    const order = r.inbox.splice(0).sort(() => this.rand() - 0.5)
    const keep = all ? 0 : Math.floor(this.rand() * order.length)
    r.inbox.push(...order.splice(0, keep))
    for (const { doc, update } of order) Y.applyUpdateV2(r.docs[doc] as Y.Doc, update, D.REMOTE)
  }

  /** Goes offline, or comes back and syncs every document with every online peer. */
  toggle(r: Replica): void {
    r.online = !r.online
    if (!r.online) return
    for (const peer of this.replicas) {
      if (peer === r || !peer.online) continue
      r.docs.forEach((doc, d) => {
        const other = peer.docs[d] as Y.Doc
        Y.applyUpdateV2(other, Y.encodeStateAsUpdateV2(doc, Y.encodeStateVector(other)), D.REMOTE)
        Y.applyUpdateV2(doc, Y.encodeStateAsUpdateV2(other, Y.encodeStateVector(doc)), D.REMOTE)
      })
    }
  }

  /** Everyone online, everything delivered. */
  settle(): void {
    for (const r of this.replicas) if (!r.online) this.toggle(r)
    for (let round = 0; round < 3; round++) for (const r of this.replicas) this.deliver(r, true)
  }
}

type Expected = Map<D.VersionId, D.ProjectJson>

/** Refusals a user can meet in normal use; anything else is a bug. */
const expectedRefusal = (e: unknown): boolean =>
  e instanceof D.NoChangesError || e instanceof D.VersionNotAvailableError || e instanceof D.NotFoundError || (e instanceof D.StrataError && /first version/.test(e.message))

/** A version command; it records what its creator saw. Most of the time the user waits for sync first. */
const versionAction = async (net: ShardedNetwork, r: Replica, x: number, expected: Expected): Promise<void> => {
  if (net.pick([true, true, false])) net.deliver(r, true)
  const seen = await S.readProject(r.p)
  if (x < 0.86) expected.set((await S.createVersion(r.p, { name: `v${expected.size}` }, r.who)).id, seen)
  else if (x < 0.91) {
    expected.set((await S.discardChanges(r.p, r.who)).id, seen)
    if ((await S.pendingChanges(r.p)).total !== 0) throw new Error('changes remain right after a discard')
  } else {
    const target = net.pick(S.listVersions(r.p))
    if (!target) return
    expected.set((await S.restoreVersion(r.p, target.id, r.who)).id, seen)
    const want = expected.get(target.id)
    if (want && JSON.stringify(await S.readProject(r.p)) !== JSON.stringify(want)) throw new Error(`restore of ${target.name} did not give its content`)
  }
}

/** One random user action on one replica. */
export const randomAction = async (net: ShardedNetwork, r: Replica, rand: () => number, expected: Expected): Promise<void> => {
  const shards = r.docs.slice(1).map((doc) => D.maps(doc))
  const root = D.maps(r.p.root)
  const item = net.pick(shards.flatMap((m) => [...m.items.keys()]) as D.ItemId[])
  const cls = net.pick([...root.classes.keys()] as D.ClassId[])
  const label = net.pick(shards.flatMap((m) => [...m.labels.entries()]))
  const x = rand()
  const box = (): D.BBox => [Math.floor(rand() * 50), Math.floor(rand() * 50), 1 + Math.floor(rand() * 49), 1 + Math.floor(rand() * 49)]
  try {
    if (x < 0.08 || !cls) S.addClass(r.p, { name: `class ${Math.floor(rand() * 5)}` })
    else if (x < 0.2 || !item) await S.addItem(r.p, image(`img-${Math.floor(rand() * 1e6)}`), r.who)
    else if (x < 0.22) await S.addItems(r.p, [image(`a-${Math.floor(rand() * 1e6)}`), image(`b-${Math.floor(rand() * 1e6)}`)], r.who)
    else if (x < 0.27) await S.removeItem(r.p, item)
    else if (x < 0.42) await S.addLabel(r.p, item, { classId: cls, bbox: box() }, r.who)
    else if (x < 0.52 && label) await S.updateLabel(r.p, label[1].itemId, label[0] as D.LabelId, rand() < 0.5 ? { bbox: box() } : { classId: cls }, r.who)
    else if (x < 0.57 && label) await S.removeLabel(r.p, label[1].itemId, label[0] as D.LabelId)
    else if (x < 0.68) await S.setTag(r.p, item, `t${Math.floor(rand() * 4)}`, rand() < 0.7)
    else if (x < 0.72) S.addRun(r.p, { name: 'run', model: 'm', blob: image('r').blob, count: 3 }, r.who)
    else if (x < 0.75 && root.runs.size) S.removeRun(r.p, net.pick([...root.runs.keys()]) as D.RunId)
    else if (x < 0.96) await versionAction(net, r, x, expected)
    else {
      const target = net.pick(S.listVersions(r.p))
      if (target) S.deleteVersion(r.p, target.id, r.who)
    }
  } catch (e) {
    if (!expectedRefusal(e)) throw e
  }
}

/** A seeded multi-replica history on a sharded project, settled; a failing seed replays exactly. */
export const runShardedHistory = async (seed: number, steps: number, shards: number): Promise<{ net: ShardedNetwork; expected: Expected }> => {
  const rand = prng(seed)
  let clock = 1_700_000_000_000
  vi.spyOn(crypto, 'randomUUID').mockImplementation(seededUuid(rand))
  vi.spyOn(Date, 'now').mockImplementation(() => (clock += Math.floor(rand() * 3)))
  const net = new ShardedNetwork(rand, 3 + Math.floor(rand() * 3), seed, shards)
  const expected: Expected = new Map()
  for (let step = 0; step < steps; step++) {
    const r = net.pick(net.replicas)
    if (!r) break
    const x = rand()
    if (x < 0.6) await randomAction(net, r, rand, expected)
    else if (x < 0.93) net.deliver(r)
    else net.toggle(r)
  }
  net.settle()
  return { net, expected }
}
