import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { runHistory } from './fuzz.ts'

// STRATA_FUZZ_SEEDS=500 STRATA_FUZZ_STEPS=400 for a long run; STRATA_FUZZ_SEED=n replays one seed.
const only = process.env.STRATA_FUZZ_SEED ? [Number(process.env.STRATA_FUZZ_SEED)] : null
const seeds = only ?? Array.from({ length: Number(process.env.STRATA_FUZZ_SEEDS ?? 30) }, (_, i) => i + 1)
const steps = Number(process.env.STRATA_FUZZ_STEPS ?? 150)

/** The truth, the slow way: each map of the fully materialised version against the live doc. */
const naivePending = (doc: Y.Doc): number => {
  const last = D.lastCheckpoint(doc)
  const record = last && D.maps(doc).versions.get(last.id)
  const old = record ? Y.createDocFromSnapshot(doc, Y.decodeSnapshotV2(record.snapshot)) : D.newProjectDoc()
  let total = 0
  for (const name of D.CONTENT) {
    const a = D.maps(old)[name].toJSON()
    const b = D.maps(doc)[name].toJSON()
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) total++
  }
  return total
}

describe('convergence fuzz', () => {
  afterEach(() => vi.restoreAllMocks())

  it.each(seeds)('seed %i: replicas converge and every version opens to what its creator saw', (seed) => {
    try {
      const { net, expected } = runHistory(seed, steps)
      const [first, ...rest] = net.replicas.map((r) => r.doc)
      if (!first) throw new Error('no replicas')
      const project = D.readProject(first)
      const versions = D.listVersions(first)
      for (const doc of rest) {
        expect(D.readProject(doc)).toEqual(project)
        expect(D.listVersions(doc)).toEqual(versions)
      }
      for (const v of versions) {
        const want = expected.get(v.id)
        for (const doc of net.replicas.map((r) => r.doc)) {
          const view = D.openVersion(doc, v.id)
          expect(D.readProject(view)).toEqual(want)
          expect(D.listItems(view).map((i) => i.id)).toEqual(want?.items.map((i) => i.id))
          for (const item of want?.items ?? []) expect(D.readItem(view, item.id)).toEqual(item)
        }
        const record = D.maps(first).versions.get(v.id)
        if (record) expect(D.readProject(Y.createDocFromSnapshot(first, Y.decodeSnapshotV2(record.snapshot)))).toEqual(want)
      }
      for (const doc of net.replicas.map((r) => r.doc)) {
        expect(Y.equalSnapshots(D.currentSnapshot(doc), Y.snapshot(doc))).toBe(true)
        expect(D.pendingChanges(doc).total).toBe(naivePending(doc))
      }
    } catch (e) {
      console.error(`fuzz failed at seed ${seed}; replay with STRATA_FUZZ_SEED=${seed}`)
      throw e
    }
  })
})
