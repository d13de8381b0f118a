import { openDatabase } from './idb.ts'

/**
 * Edits made before a project's document has loaded, kept in IndexedDB until they are
 * applied: a tab closed before the load finished loses none of them, the next open applies
 * them. One record per edit, keyed by project and order.
 */

const STORE = 'edits'

export interface StoredEdit<T> { key: string; edit: T }

const open = (): Promise<IDBDatabase> => openDatabase('strata:early', [STORE])

const range = (projectId: string): IDBKeyRange => IDBKeyRange.bound(`${projectId}\n`, `${projectId}\n\uffff`)

const done = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'))
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction was aborted'))
  })

/** Keeps one edit; settles once it is stored. Keys sort in the order edits were made. */
export const keepEarlyEdit = async <T>(projectId: string, edit: T): Promise<string> => {
  const db = await open()
  try {
    const key = `${projectId}\n${Date.now().toString(36).padStart(10, '0')}.${performance.now().toFixed(3).padStart(14, '0')}`
    const tx = db.transaction(STORE, 'readwrite')
    tx.objectStore(STORE).put(edit, key)
    await done(tx)
    return key
  } finally {
    db.close()
  }
}

/** Every kept edit of a project, oldest first. */
export const readEarlyEdits = async <T>(projectId: string): Promise<Array<StoredEdit<T>>> => {
  const db = await open()
  try {
    const tx = db.transaction(STORE, 'readonly')
    const store = tx.objectStore(STORE)
    const keys = store.getAllKeys(range(projectId))
    const values = store.getAll(range(projectId))
    await done(tx)
    return (keys.result as string[]).map((key, i) => ({ key, edit: values.result[i] as T }))
  } finally {
    db.close()
  }
}

/** Forgets edits once they are in the document (and so in its own storage). */
export const dropEarlyEdits = async (keys: string[]): Promise<void> => {
  if (keys.length === 0) return
  const db = await open()
  try {
    const tx = db.transaction(STORE, 'readwrite')
    for (const key of keys) tx.objectStore(STORE).delete(key)
    await done(tx)
  } finally {
    db.close()
  }
}
