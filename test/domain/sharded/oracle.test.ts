import { afterEach, describe, expect, it, vi } from 'vitest'
import type * as Y from 'yjs'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { prng, seededUuid } from '../fuzz.ts'
import { ann, image } from '../helpers.ts'
import { comparableDiff as diff, comparableProject as project, comparableSummary as summary, sharded } from './helpers.ts'

// The same seeded history on one schema-1 document (the oracle) and on a sharded project, with
// the same ids and clocks: every read, summary, diff, discard and restore must agree.

/** One user action on both sides: the single-document call and the sharded one. */
interface Op {
  one: (doc: Y.Doc) => unknown
  sharded: (p: S.ShardedProject) => unknown
}

/** A version as both sides must agree on it: snapshot sizes differ, and a cut from nothing counts the root's `shards` field. */
const version = (v: D.Version, isSharded: boolean) => {
  const { bytes: _, ...rest } = v
  return { ...rest, stats: { ...v.stats, changed: v.stats.changed - (isSharded && v.base === null ? 1 : 0) } }
}
const outcome = async (fn: () => unknown): Promise<unknown> => {
  try {
    const ok = await fn()
    return ok && typeof ok === 'object' && 'stats' in ok ? { ...(ok as D.Version), bytes: 0, stats: null } : ok
  } catch (e) {
    if (e instanceof D.StrataError) return `${e.name}: ${e.message}`
    throw e
  }
}

/** A random action, chosen from the oracle's state (the same ids exist on both sides). */
const randomOp = (doc: Y.Doc, rand: () => number): Op => {
  const m = D.maps(doc)
  const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(rand() * xs.length)]
  const item = pick([...m.items.keys()] as D.ItemId[])
  const cls = pick([...m.classes.keys()] as D.ClassId[])
  const label = pick([...m.labels.entries()])
  const version = pick(D.listVersions(doc))
  const box = (): D.BBox => [Math.floor(rand() * 50), Math.floor(rand() * 50), 1 + Math.floor(rand() * 49), 1 + Math.floor(rand() * 49)]
  const n = Math.floor(rand() * 1e6)
  const x = rand()
  if (x < 0.06 || !cls) return { one: (d) => D.addClass(d, { name: `class ${n % 5}` }), sharded: (p) => S.addClass(p, { name: `class ${n % 5}` }) }
  if (x < 0.08) return { one: (d) => D.updateClass(d, cls, { name: `renamed ${n % 3}` }), sharded: (p) => S.updateClass(p, cls, { name: `renamed ${n % 3}` }) }
  if (x < 0.18 || !item) return { one: (d) => D.addItem(d, image(`img-${n}`), ann), sharded: (p) => S.addItem(p, image(`img-${n}`), ann) }
  if (x < 0.21) {
    const inputs = [image(`a-${n}`), image(`b-${n}`), image(`c-${n}`)]
    return { one: (d) => inputs.map((i) => D.addItem(d, i, ann)), sharded: (p) => S.addItems(p, inputs, ann) }
  }
  if (x < 0.25) return { one: (d) => D.removeItem(d, item), sharded: (p) => S.removeItem(p, item) }
  if (x < 0.4) {
    const b = box()
    return { one: (d) => D.addLabel(d, item, { classId: cls, bbox: b }, ann), sharded: (p) => S.addLabel(p, item, { classId: cls, bbox: b }, ann) }
  }
  if (x < 0.5 && label) {
    const patch = rand() < 0.5 ? { bbox: box() } : { classId: cls }
    const [id, l] = label as [D.LabelId, D.LabelRecord]
    return { one: (d) => D.updateLabel(d, l.itemId, id, patch, ann), sharded: (p) => S.updateLabel(p, l.itemId, id, patch, ann) }
  }
  if (x < 0.55 && label) {
    const [id, l] = label as [D.LabelId, D.LabelRecord]
    return { one: (d) => D.removeLabel(d, l.itemId, id), sharded: (p) => S.removeLabel(p, l.itemId, id) }
  }
  if (x < 0.66) {
    const [tag, on] = [`t${n % 4}`, rand() < 0.7]
    return { one: (d) => D.setTag(d, item, tag, on), sharded: (p) => S.setTag(p, item, tag, on) }
  }
  if (x < 0.69) {
    const run = { name: 'run', model: 'm', blob: image('r').blob, count: 3 }
    return { one: (d) => D.addRun(d, run, ann), sharded: (p) => S.addRun(p, run, ann) }
  }
  if (x < 0.8) return { one: (d) => D.createVersion(d, { name: `v${n}` }, ann), sharded: (p) => S.createVersion(p, { name: `v${n}` }, ann) }
  if (x < 0.87) return { one: (d) => D.discardChanges(d, ann), sharded: (p) => S.discardChanges(p, ann) }
  if (x < 0.95 && version) return { one: (d) => D.restoreVersion(d, version.id, ann), sharded: (p) => S.restoreVersion(p, version.id, ann) }
  if (x < 0.97 && version) return { one: (d) => D.deleteVersion(d, version.id, ann), sharded: (p) => S.deleteVersion(p, version.id, ann) }
  return { one: (d) => D.setTag(d, item, 'late', true), sharded: (p) => S.setTag(p, item, 'late', true) }
}

const seeds = Array.from({ length: Number(process.env.STRATA_FUZZ_SEEDS ?? 10) }, (_, i) => i + 1)

describe('a sharded project against one schema-1 document', () => {
  afterEach(() => vi.restoreAllMocks())

  it.each(seeds)('seed %i: the same history gives the same project, changes, versions, diffs and reverts', async (seed) => {
    const rand = prng(seed)
    const ids = { one: seededUuid(prng(seed + 1000)), sharded: seededUuid(prng(seed + 1000)) }
    let active = ids.one
    let now = 1_700_000_000_000
    vi.spyOn(crypto, 'randomUUID').mockImplementation(() => active())
    vi.spyOn(Date, 'now').mockImplementation(() => now)
    const one = D.createProject({ name: 'Cars' })
    const { p } = sharded([1, 4, 16][seed % 3])
    for (let step = 0; step < 120; step++) {
      const op = randomOp(one, rand)
      active = ids.one
      const want = await outcome(() => op.one(one))
      active = ids.sharded
      expect(await outcome(() => op.sharded(p)), `step ${step}`).toEqual(want)
      expect(project(await S.readProject(p))).toEqual(project(D.readProject(one)))
      expect(summary(await S.pendingChanges(p))).toEqual(summary(D.pendingChanges(one)))
      expect(S.listVersions(p).map((v) => version(v, true))).toEqual(D.listVersions(one).map((v) => version(v, false)))
      now += 1 + Math.floor(rand() * 3)
    }
    const refs: D.VersionRef[] = ['latest', ...D.listVersions(one).map((v) => v.id)]
    for (const ref of refs.slice(1) as D.VersionId[]) {
      expect(project(await S.readProject(S.openVersion(p, ref)))).toEqual(project(D.readProject(D.openVersion(one, ref))))
    }
    for (let k = 0; k < 12 && refs.length > 1; k++) {
      const [a, b] = [refs[Math.floor(rand() * refs.length)] as D.VersionRef, refs[Math.floor(rand() * refs.length)] as D.VersionRef]
      expect(diff(await S.diffVersions(p, a, b))).toEqual(diff(D.diffVersions(one, a, b)))
      const older = a === 'latest' ? await S.readProject(p) : await S.readProject(S.openVersion(p, a))
      const newer = b === 'latest' ? await S.readProject(p) : await S.readProject(S.openVersion(p, b))
      expect(D.applyDiff(older, await S.compareVersions(p, a, b))).toEqual(newer)
    }
  })
})
