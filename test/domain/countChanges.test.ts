import { describe, expect, it } from 'vitest'
import * as D from '../../src/domain/index.ts'
import { versionSnapshot } from '../../src/domain/versions.ts'
import { runHistory } from './fuzz.ts'

/** Runs a sliced count to the end: its total and how many slices it took. */
const drain = (counting: Generator<void, number, void>): { total: number; slices: number } => {
  let slices = 1
  for (let step = counting.next(); ; step = counting.next(), slices++) if (step.done) return { total: step.value, slices }
}

describe('countChanges', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: counts in slices exactly what the summary of every version against latest counts', (seed) => {
    const { net } = runHistory(seed, 120)
    const doc = net.replicas[0]?.doc
    if (!doc) throw new Error('no replicas')
    const versions = D.listVersions(doc)
    let sliced = 0
    for (const v of versions) {
      const at = versionSnapshot(doc, v.id)
      const expected = D.diffVersions(doc, v.id, 'latest').summary.total
      const { total, slices } = drain(D.countChanges(doc, at, null, 1))
      expect(total).toBe(expected)
      // One slice gathers the keys, then one per key: a count never runs in one go.
      if (expected > 0) expect(slices).toBeGreaterThan(expected)
      if (slices > 2) sliced++
      expect(drain(D.countChanges(doc, at, null)).total).toBe(expected)
    }
    expect(versions.length === 0 || sliced > 0).toBe(true)
  })

  it('counts tags on and off but not malformed tag keys, like the summary', () => {
    const doc = D.createProject({ name: 'Tags' })
    const by = { id: 'u', name: 'U' }
    const item = D.addItem(doc, { name: 'a.png', blob: 'a'.repeat(64), mime: 'image/png', width: 10, height: 10 }, by)
    D.setTag(doc, item, 'old', true)
    const v = D.createVersion(doc, { name: 'v' }, by)
    D.setTag(doc, item, 'old', false)
    D.setTag(doc, item, 'new', true)
    D.maps(doc).tags.set('not-a-tag-key', true)
    const at = versionSnapshot(doc, v.id)
    expect(D.diffVersions(doc, v.id, 'latest').summary.total).toBe(2)
    expect(drain(D.countChanges(doc, at, null, 1)).total).toBe(2)
  })
})
