import type * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { assertHistoryKept, newProjectDoc, trackDeletes } from '../domain/index.ts'

/** A project's document as this browser keeps it: loaded from IndexedDB, saved on every change. */
export interface LocalProject {
  doc: Y.Doc
  persistence: IndexeddbPersistence
  destroy(): void
}

/** The IndexedDB database name of one project's document. */
export const databaseName = (projectId: string): string => `strata:doc:${projectId}`

/**
 * Opens a project's document from IndexedDB. The delete log is started before the first
 * stored update is applied, so snapshots never need a walk over the whole store.
 */
export const openLocalProject = async (projectId: string): Promise<LocalProject> => {
  const doc = newProjectDoc()
  assertHistoryKept(doc)
  trackDeletes(doc)
  const persistence = new IndexeddbPersistence(databaseName(projectId), doc)
  await persistence.whenSynced
  return {
    doc,
    persistence,
    destroy: () => {
      void persistence.destroy()
      doc.destroy()
    },
  }
}
