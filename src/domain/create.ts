import type * as Y from 'yjs'
import { MIGRATION } from './origins.ts'
import { type MetaRecord, SCHEMA, maps, newProjectDoc } from './project.ts'
import { trackDeletes } from './deleteLog.ts'
import { COCO_EXTRA } from './cocoRef.ts'
import { COUNT, type Fields, NAME, TIME, requireValue, trimmed } from './rules.ts'

/** The project's fields (`meta`, one map entry each), as the domain writes them and the server accepts them. */
export const META: Fields<MetaRecord> = { schema: COUNT, name: NAME, createdAt: TIME, coco: COCO_EXTRA }

/** A new project document: `gc: false`, schema and name set. */
export const createProject = (input: { name: string }): Y.Doc => {
  const name = requireValue(META.name, trimmed(input.name), 'Project name')
  const doc = newProjectDoc()
  trackDeletes(doc)
  doc.transact(() => {
    const m = maps(doc)
    m.meta.set('schema', SCHEMA)
    m.meta.set('name', name)
    m.meta.set('createdAt', Date.now())
  }, MIGRATION)
  return doc
}
