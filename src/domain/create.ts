import type * as Y from 'yjs'
import { MIGRATION } from './origins.ts'
import { SCHEMA, maps, newProjectDoc } from './project.ts'
import { requireName } from './classes.ts'
import { trackDeletes } from './deleteLog.ts'

/** A new project document: `gc: false`, schema and name set. */
export const createProject = (input: { name: string }): Y.Doc => {
  const name = requireName(input.name, 'Project name')
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
