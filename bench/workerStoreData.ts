import * as Y from 'yjs'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as D from '../src/domain/index.ts'
import { splitUpdate } from '../src/sync/chunks.ts'
import { buildReference, prng } from './reference.ts'

/**
 * The bytes `bench/workerStore.ts` seeds into the browser's IndexedDB, built once per N and
 * kept in a temp folder (building the 100k reference takes minutes): the whole reference
 * project as one V1 update (what y-indexeddb's trim stores), the same cut by `chunks.ts`
 * into causal ~1,000-struct pieces (what our compaction stores), and a few small edits made
 * after it (what is appended to either store before the next compaction).
 */

export interface StoreData {
  dir: string
  items: number
  labels: number
  fullBytes: number
  pieces: number
  small: number
  buildMs: number | null
}

const SMALL_EDITS = 5

/** Writes a list of updates as one file of concatenated bytes and a JSON list of lengths. */
const writeList = (dir: string, name: string, list: readonly Uint8Array[]): void => {
  fs.writeFileSync(path.join(dir, `${name}.bin`), Buffer.concat(list.map((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength))))
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(list.map((u) => u.byteLength)))
}

export const storeData = (items: number): StoreData => {
  const dir = path.join(os.tmpdir(), `strata-bench-workerStore-${items}`)
  const meta = path.join(dir, 'meta.json')
  if (fs.existsSync(meta)) return { ...(JSON.parse(fs.readFileSync(meta, 'utf8')) as StoreData), buildMs: null }
  fs.mkdirSync(dir, { recursive: true })
  const start = performance.now()
  const ref = buildReference(items)
  const full = Y.encodeStateAsUpdate(ref.doc)
  // A few single-label edits after the compacted state, each its own update as the app stores it.
  const small: Uint8Array[] = []
  ref.doc.on('update', (u: Uint8Array) => small.push(u))
  const rand = prng(11)
  const labels = D.maps(ref.doc).labels
  const ids = [...labels.keys()] as D.LabelId[]
  for (let i = 0; i < SMALL_EDITS; i++) {
    const id = ids[Math.floor(rand() * ids.length)] as D.LabelId
    const label = labels.get(id)
    if (label) D.updateLabel(ref.doc, label.itemId, id, { bbox: [i, i, 20, 20] }, { id: 'bench', name: 'Bench' })
  }
  const pieces = splitUpdate(full)
  fs.writeFileSync(path.join(dir, 'full.bin'), full)
  writeList(dir, 'pieces', pieces)
  writeList(dir, 'small', small)
  const data: StoreData = { dir, items: D.maps(ref.doc).items.size, labels: labels.size, fullBytes: full.byteLength, pieces: pieces.length, small: small.length, buildMs: performance.now() - start }
  fs.writeFileSync(meta, JSON.stringify(data))
  ref.doc.destroy()
  return data
}
