import * as Y from 'yjs'
import * as D from '../src/domain/index.ts'
import * as S from '../src/domain/sharded/index.ts'
import { buildReference } from './reference.ts'
import { collect, medianTime } from './stats.ts'
import type { Row } from './versions.ts'

const bytesOf = (docs: readonly Y.Doc[]): number[] => docs.map((doc) => Y.encodeStateAsUpdateV2(doc).byteLength)

/**
 * Issue 13's migration on the reference project (N items x 3 labels, `rounds` edit rounds with a
 * version after each, one more round outstanding): the time to migrate it to a root + shards,
 * against loading the old document from its bytes (what opening it costs anyway), and the bytes.
 */
export const benchMigrate = (items: number, runs: number, rounds = 20): Row[] => {
  const ref = buildReference(items, rounds)
  ref.editRound()
  const old = ref.doc
  const oldBytes = Y.encodeStateAsUpdateV2(old)
  let migrated = S.migrateProject(old, { projectId: 'bench' })
  const ms = medianTime(runs, () => (migrated = S.migrateProject(old, { projectId: 'bench' })), collect)
  const load = medianTime(Math.min(runs, 3), () => Y.applyUpdateV2(D.newProjectDoc(), oldBytes), collect)
  const [root, ...shards] = bytesOf([migrated.root, ...migrated.shards])
  const total = shards.reduce((sum, b) => sum + b, root ?? 0)
  return [
    { operation: `migrate ${rounds + 1} versions to ${migrated.shards.length} shards`, value: ms, unit: 'ms', baseline: load },
    { operation: 'old document bytes', value: oldBytes.byteLength, unit: 'B' },
    { operation: 'root + shards bytes', value: total, unit: 'B', baseline: oldBytes.byteLength },
    { operation: 'root bytes', value: root ?? 0, unit: 'B' },
    { operation: 'largest shard bytes', value: Math.max(...shards), unit: 'B' },
  ]
}
