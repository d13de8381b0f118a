import type * as Y from 'yjs'
import { type Actor, type RunId, newId } from './ids.ts'
import { type RunRecord, write } from './project.ts'
import { NotFoundError } from './errors.ts'
import { ACTOR, COUNT, NAME, type RecordSchema, SHA256, TIME, requireRecord, text, trimmed } from './rules.ts'

/** A prediction run, as the domain writes it and the server accepts it. */
export const RUN: RecordSchema<RunRecord> = {
  what: 'Run',
  fields: { name: NAME, model: text(200), blob: SHA256, count: COUNT, createdAt: TIME, by: ACTOR },
}

/** Records a prediction run; the predictions live in the immutable blob it names. */
export const addRun = (doc: Y.Doc, input: { name: string; model: string; blob: string; count: number }, by: Actor): RunId =>
  write(doc, (m) => {
    const record = requireRecord(RUN, {
      name: trimmed(input.name),
      model: typeof input.model === 'string' ? input.model.trim() : '',
      blob: input.blob,
      count: input.count,
      createdAt: Date.now(),
      by: { id: by.id, name: by.name },
    })
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
