import { afterEach, describe, expect, it, vi } from 'vitest'
import * as D from '../../src/domain/index.ts'
import { applyDiff, compareVersions } from '../../src/domain/index.ts'
import { runHistory } from './fuzz.ts'

// STRATA_FUZZ_SEEDS / STRATA_FUZZ_STEPS / STRATA_FUZZ_SEED as in fuzz.test.ts.
const only = process.env.STRATA_FUZZ_SEED ? [Number(process.env.STRATA_FUZZ_SEED)] : null
const seeds = only ?? Array.from({ length: Number(process.env.STRATA_FUZZ_SEEDS ?? 30) }, (_, i) => i + 1)
const steps = Number(process.env.STRATA_FUZZ_STEPS ?? 150)

describe('applying a diff', () => {
  afterEach(() => vi.restoreAllMocks())

  it.each(seeds)('seed %i: diff(older, newer) applied to older gives newer, for many pairs', (seed) => {
    const { net } = runHistory(seed, steps)
    const replica = net.pick(net.replicas)
    if (!replica) throw new Error('no replicas')
    const doc = replica.doc
    const refs: D.VersionRef[] = [...D.listVersions(doc).map((v) => v.id), 'latest']
    const json = new Map(refs.map((ref) => [ref, D.readProject(ref === 'latest' ? doc : D.openVersion(doc, ref))]))
    // Every version against the next one and against latest, plus random pairs in both directions.
    const pairs: Array<[D.VersionRef, D.VersionRef]> = refs.slice(0, -1).flatMap((ref, i) => [[ref, refs[i + 1] as D.VersionRef], [ref, 'latest']] as Array<[D.VersionRef, D.VersionRef]>)
    for (let k = 0; k < 20 && refs.length > 1; k++) pairs.push([net.pick(refs) as D.VersionRef, net.pick(refs) as D.VersionRef])
    let changed = 0
    for (const [from, to] of pairs) {
      const diff = compareVersions(doc, from, to)
      changed += diff.items.length
      try {
        expect(applyDiff(json.get(from) as D.ProjectJson, diff)).toEqual(json.get(to))
      } catch (e) {
        console.error(`diff ${from} -> ${to} failed at seed ${seed}; replay with STRATA_FUZZ_SEED=${seed}`)
        throw e
      }
    }
    if (refs.length > 2) expect(changed).toBeGreaterThan(0)
  })
})
