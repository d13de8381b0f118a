import type * as Y from 'yjs'
import { type Actor, type RunId, isSha256, newId } from './ids.ts'
import { type RunRecord, write } from './project.ts'
import { NotFoundError, ValidationError } from './errors.ts'
import { requireName } from './classes.ts'

/** Records a prediction run; the predictions live in the immutable blob it names. */
export const addRun = (doc: Y.Doc, input: { name: string; model: string; blob: string; count: number }, by: Actor): RunId =>
  write(doc, (m) => {
    if (!isSha256(input.blob)) throw new ValidationError('Run blob must be a sha256 hex digest')
    if (!Number.isInteger(input.count) || input.count < 0) throw new ValidationError(`Run count must be a whole number, got ${String(input.count)}`)
    const record: RunRecord = {
      name: requireName(input.name, 'Run name'),
      model: typeof input.model === 'string' ? input.model.trim() : '',
      blob: input.blob,
      count: input.count,
      createdAt: Date.now(),
      by: { id: by.id, name: by.name },
    }
    const id = newId<RunId>()
    m.runs.set(id, record)
    return id
  })

/** Removes a run record (its blob stays, so older versions that refer to it still work). */
export const removeRun = (doc: Y.Doc, runId: RunId): void =>
  write(doc, (m) => {
    if (!m.runs.has(runId)) throw new NotFoundError(`No run ${runId}`)
    m.runs.delete(runId)
  })
