import { vi } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { prng } from '../../bench/reference.ts'
import { image, push } from './helpers.ts'

/** The project's seeded PRNG (mulberry32): the same seed gives the same history. */
export { prng }


/** A seeded stand-in for crypto.randomUUID, in the same 36-character shape. */
export const seededUuid = (rand: () => number) => (): `${string}-${string}-${string}-${string}-${string}` => {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('')
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`
}

export interface Replica {
  doc: Y.Doc
  online: boolean
  inbox: Uint8Array[]
  who: D.Actor
}

/** Replicas that relay updates to each other through inboxes delivered in random order. */
export class Network {
  readonly replicas: Replica[] = []
  constructor(private readonly rand: () => number, count: number, seed: number) {
    const first = D.createProject({ name: 'Fuzz' })
    for (let i = 0; i < count; i++) {
      const doc = i === 0 ? first : D.newProjectDoc()
      if (i > 0) push(first, doc)
      const replica: Replica = { doc, online: true, inbox: [], who: { id: `u${i}`, name: `User ${i}` } }
      doc.clientID = seed * 100 + i + 1
      doc.on('updateV2', (update: Uint8Array, origin: unknown) => {
        if (origin === D.REMOTE || !replica.online) return
        for (const peer of this.replicas) if (peer !== replica && peer.online) peer.inbox.push(update)
      })
      this.replicas.push(replica)
    }
  }

  pick<T>(list: readonly T[]): T | undefined {
    return list.length ? list[Math.floor(this.rand() * list.length)] : undefined
  }

  /** Applies a random share of a replica's inbox, in random order. */
  deliver(r: Replica, all = false): void {
    const order = r.inbox.splice(0).sort(() => this.rand() - 0.5)
    const keep = all ? 0 : Math.floor(this.rand() * order.length)
    r.inbox.push(...order.splice(0, keep))
    for (const update of order) Y.applyUpdateV2(r.doc, update, D.REMOTE)
  }

  /** Goes offline, or comes back and syncs state vectors with every online peer. */
  toggle(r: Replica): void {
    r.online = !r.online
    if (!r.online) return
    for (const peer of this.replicas) {
      if (peer === r || !peer.online) continue
      Y.applyUpdateV2(peer.doc, Y.encodeStateAsUpdateV2(r.doc, Y.encodeStateVector(peer.doc)), D.REMOTE)
      Y.applyUpdateV2(r.doc, Y.encodeStateAsUpdateV2(peer.doc, Y.encodeStateVector(r.doc)), D.REMOTE)
    }
  }

  /** Everyone online, everything delivered. */
  settle(): void {
    for (const r of this.replicas) if (!r.online) this.toggle(r)
    for (let round = 0; round < 3; round++) for (const r of this.replicas) this.deliver(r, true)
  }
}

type Expected = Map<D.VersionId, D.ProjectJson>

/** One random user action on one replica; version operations record what their creator saw. */
export const randomAction = (net: Network, r: Replica, rand: () => number, expected: Expected): void => {
  const m = D.maps(r.doc)
  const items = [...m.items.keys()] as D.ItemId[]
  const classes = [...m.classes.keys()] as D.ClassId[]
  const labels = [...m.labels.entries()]
  const x = rand()
  const box = (): D.BBox => [Math.floor(rand() * 50), Math.floor(rand() * 50), 1 + Math.floor(rand() * 49), 1 + Math.floor(rand() * 49)]
  const item = net.pick(items)
  const cls = net.pick(classes)
  const label = net.pick(labels)
  try {
    if (x < 0.08 || !cls) D.addClass(r.doc, { name: `class ${Math.floor(rand() * 5)}` })
    else if (x < 0.22 || !item) D.addItem(r.doc, image(`img-${Math.floor(rand() * 1e6)}`), r.who)
    else if (x < 0.27) D.removeItem(r.doc, item)
    else if (x < 0.42) D.addLabel(r.doc, item, { classId: cls, bbox: box() }, r.who)
    else if (x < 0.52 && label) D.updateLabel(r.doc, label[1].itemId, label[0] as D.LabelId, rand() < 0.5 ? { bbox: box() } : { classId: cls }, r.who)
    else if (x < 0.57 && label) D.removeLabel(r.doc, label[1].itemId, label[0] as D.LabelId)
    else if (x < 0.68) D.setTag(r.doc, item, `t${Math.floor(rand() * 4)}`, rand() < 0.7)
    else if (x < 0.72) D.addRun(r.doc, { name: 'run', model: 'm', blob: image('r').blob, count: 3 }, r.who)
    else if (x < 0.75 && m.runs.size) D.removeRun(r.doc, net.pick([...m.runs.keys()]) as D.RunId)
    else if (x < 0.86) {
      const seen = D.readProject(r.doc)
      expected.set(D.createVersion(r.doc, { name: `v${expected.size}` }, r.who).id, seen)
    } else if (x < 0.91) {
      const seen = D.readProject(r.doc)
      const v = D.discardChanges(r.doc, r.who)
      expected.set(v.id, seen)
      if (D.pendingChanges(r.doc).total !== 0) throw new Error('changes remain right after a discard')
    } else if (x < 0.96) {
      const target = net.pick(D.listVersions(r.doc))
      if (!target) return
      const seen = D.readProject(r.doc)
      const v = D.restoreVersion(r.doc, target.id, r.who)
      expected.set(v.id, seen)
      const want = expected.get(target.id)
      if (want && JSON.stringify(D.readProject(r.doc)) !== JSON.stringify(want)) throw new Error(`restore of ${target.name} did not give its content`)
    } else {
      const target = net.pick(D.listVersions(r.doc))
      if (target) D.deleteVersion(r.doc, target.id, r.who)
    }
  } catch (e) {
    // Refusals a user can meet in normal use; anything else is a bug.
    if (e instanceof D.NoChangesError || e instanceof D.VersionNotAvailableError || e instanceof D.NotFoundError) return
    if (e instanceof D.StrataError && /first version/.test(e.message)) return
    throw e
  }
}

/**
 * A seeded multi-replica history, settled: ids, clocks and choices all come from `seed`, so
 * a failing seed replays exactly. Returns the network and what each version's creator saw.
 */
export const runHistory = (seed: number, steps: number): { net: Network; expected: Expected; rand: () => number } => {
  const rand = prng(seed)
  let clock = 1_700_000_000_000
  vi.spyOn(crypto, 'randomUUID').mockImplementation(seededUuid(rand))
  vi.spyOn(Date, 'now').mockImplementation(() => (clock += Math.floor(rand() * 3)))
  const net = new Network(rand, 3 + Math.floor(rand() * 3), seed)
  const expected: Expected = new Map()
  for (let step = 0; step < steps; step++) {
    const r = net.pick(net.replicas)
    if (!r) break
    const x = rand()
    if (x < 0.6) randomAction(net, r, rand, expected)
    else if (x < 0.93) net.deliver(r)
    else net.toggle(r)
  }
  net.settle()
  return { net, expected, rand }
}
