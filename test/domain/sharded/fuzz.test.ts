import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { sortItems } from '../../../src/domain/read.ts'
import type { ContentName } from '../../../src/domain/project.ts'
import { type Replica, runShardedHistory } from './fuzz.ts'

// STRATA_FUZZ_SEEDS=200 STRATA_FUZZ_STEPS=400 for a long run; STRATA_FUZZ_SEED=n replays one seed.
const only = process.env.STRATA_FUZZ_SEED ? [Number(process.env.STRATA_FUZZ_SEED)] : null
const seeds = only ?? Array.from({ length: Number(process.env.STRATA_FUZZ_SEEDS ?? 20) }, (_, i) => i + 1)
const steps = Number(process.env.STRATA_FUZZ_STEPS ?? 150)

const materialise = (doc: Y.Doc, bytes: Uint8Array | undefined): Y.Doc => (bytes ? Y.createDocFromSnapshot(doc, Y.decodeSnapshotV2(bytes)) : D.newProjectDoc())

/** Keys of `names` whose values differ between two documents, the slow way. */
const differing = (a: Y.Doc, b: Y.Doc, names: readonly ContentName[]): number => {
  let total = 0
  for (const name of names) {
    const x = D.maps(a)[name].toJSON()
    const y = D.maps(b)[name].toJSON()
    for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) if (JSON.stringify(x[key]) !== JSON.stringify(y[key])) total++
  }
  return total
}

/** The truth, the slow way: each document fully materialised at the last checkpoint's record of it, against its live state. */
const naivePending = (r: Replica): number => {
  const last = S.lastCheckpoint(r.p)
  const records = last ? S.cutShards(r.p, last.id) : null
  const [root, ...shards] = r.docs as [Y.Doc, ...Y.Doc[]]
  let total = differing(materialise(root, last ? D.maps(root).versions.get(last.id)?.snapshot : undefined), root, D.CONTENT)
  shards.forEach((doc, i) => {
    const record = records?.[i]
    total += differing(materialise(doc, record ? D.maps(doc).versions.get(record)?.snapshot : undefined), doc, ['items', 'labels', 'tags'])
  })
  return total
}

/** A version materialised the slow way: every document rebuilt from its record's snapshot. */
const rebuilt = (r: Replica, versionId: D.VersionId): D.ProjectJson => {
  const [root, ...shards] = r.docs as [Y.Doc, ...Y.Doc[]]
  const records = S.cutShards(r.p, versionId)
  const project = D.readProject(materialise(root, D.maps(root).versions.get(versionId)?.snapshot))
  const items = shards.flatMap((doc, i) => D.readProject(materialise(doc, D.maps(doc).versions.get(records[i] as D.VersionId)?.snapshot)).items)
  return { ...project, items: sortItems(items) }
}

describe('sharded convergence fuzz', () => {
  afterEach(() => vi.restoreAllMocks())

  it.each(seeds)('seed %i: replicas relaying per-document updates converge, and every version opens as its creator saw it', async (seed) => {
    try {
      const { net, expected } = await runShardedHistory(seed, steps, [2, 4, 8][seed % 3] as number)
      const [first, ...rest] = net.replicas
      if (!first) throw new Error('no replicas')
      const project = await S.readProject(first.p)
      const versions = S.listVersions(first.p)
      for (const r of rest) {
        expect(await S.readProject(r.p)).toEqual(project)
        expect(S.listVersions(r.p)).toEqual(versions)
      }
      for (const v of versions) {
        const want = expected.get(v.id)
        expect(want).toBeDefined()
        for (const r of net.replicas) {
          const view = S.openVersion(r.p, v.id)
          expect(await S.readProject(view)).toEqual(want)
          expect((await S.listItems(view)).map((i) => i.id)).toEqual(want?.items.map((i) => i.id))
          for (const item of want?.items ?? []) expect(await S.readItem(view, item.id)).toEqual(item)
        }
        expect(rebuilt(first, v.id)).toEqual(want)
      }
      for (const r of net.replicas) {
        for (const doc of r.docs) expect(Y.equalSnapshots(D.currentSnapshot(doc), Y.snapshot(doc))).toBe(true)
        expect((await S.pendingChanges(r.p)).total).toBe(naivePending(r))
      }
    } catch (e) {
      console.error(`sharded fuzz failed at seed ${seed}; replay with STRATA_FUZZ_SEED=${seed}`)
      throw e
    }
  })
})
