import type * as Y from 'yjs'
import { type Actor, IMPORT, type RunId, addRun } from '../domain/index.ts'
import { hashText } from './hash.ts'
import { type StoredPrediction, runText } from './predictions.ts'
import { type Result, fail, ok } from './result.ts'

/** Where a run's file goes before its record is written (IndexedDB + outbox, or the server). */
export type SaveBlob = (bytes: Uint8Array<ArrayBuffer>, sha256: string) => Promise<void>

const runName = (name: string): string | null => {
  const trimmed = name.trim()
  return trimmed === '' || trimmed.length > 200 ? null : trimmed
}

/** Records a run whose blob is already saved (hashed elsewhere, say in a worker). */
export const recordRun = (doc: Y.Doc, input: { name: string; model?: string }, blob: { sha256: string; count: number }, by: Actor): Result<RunId> => {
  const name = runName(input.name)
  if (name === null) return fail('A run needs a name of 1 to 200 characters')
  let runId: RunId | null = null
  doc.transact(() => {
    runId = addRun(doc, { name, model: input.model ?? '', blob: blob.sha256, count: blob.count }, by)
  }, IMPORT)
  return runId === null ? fail('The run was not recorded') : ok(runId)
}

/**
 * Stores checked predictions as an immutable blob, then records the run pointing at it.
 * The blob is saved first, so a run record never names a file nobody has.
 */
export const importRun = async (
  doc: Y.Doc, input: { name: string; model?: string }, predictions: StoredPrediction[], by: Actor, save: SaveBlob,
): Promise<Result<{ runId: RunId; sha256: string; bytes: number }>> => {
  if (runName(input.name) === null) return fail('A run needs a name of 1 to 200 characters')
  const { bytes, sha256 } = await hashText(runText(predictions))
  await save(bytes, sha256)
  const run = recordRun(doc, input, { sha256, count: predictions.length }, by)
  return run.ok ? ok({ runId: run.value, sha256, bytes: bytes.byteLength }) : run
}
