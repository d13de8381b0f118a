/** Tiny promise helpers over IndexedDB for the blob store and the grid cache (`updateLog.ts` keeps the documents). */

/** Opens (and creates when new) a database with the given object stores. */
export const openDatabase = (name: string, stores: readonly string[]): Promise<IDBDatabase> =>
  new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1)
    req.onupgradeneeded = () => {
      for (const store of stores) if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store)
    }
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error(`Cannot open IndexedDB database ${name}`))
  })

/** Runs one request in its own transaction and answers its result. */
export const request = <T>(db: IDBDatabase, store: string, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest): Promise<T> =>
  new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode)
    const req = fn(tx.objectStore(store))
    tx.oncomplete = () => resolve(req.result as T)
    tx.onerror = () => reject(tx.error ?? new Error(`IndexedDB ${mode} on ${store} failed`))
    tx.onabort = () => reject(tx.error ?? new Error(`IndexedDB ${mode} on ${store} was aborted`))
  })
