/**
 * A project's document in IndexedDB: y-indexeddb's layout (an `updates` store with
 * auto-increment keys, a `custom` store), so databases written by earlier builds still load.
 * Used by the load worker (read, compact) and the page (append).
 */

const UPDATES = 'updates'

/** Opens (creating when new) one document's update log, in `factory` (the global IndexedDB unless told: a test's second device). */
export const openUpdateLog = (name: string, factory: IDBFactory = indexedDB): Promise<IDBDatabase> =>
  new Promise((resolve, reject) => {
    const req = factory.open(name)
    req.onupgradeneeded = () => {
      const db = req.result
      if (!db.objectStoreNames.contains(UPDATES)) db.createObjectStore(UPDATES, { autoIncrement: true })
      if (!db.objectStoreNames.contains('custom')) db.createObjectStore('custom')
    }
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error(`Cannot open IndexedDB database ${name}`))
  })

const done = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'))
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction was aborted'))
  })

/**
 * Appends one update (the page calls this for every change of the loaded document). Async,
 * so a store that throws at once (a full disk, a closed database) rejects instead of
 * throwing into the document's update handler.
 */
export const appendUpdate = async (db: IDBDatabase, update: Uint8Array): Promise<void> => {
  const tx = db.transaction(UPDATES, 'readwrite')
  tx.objectStore(UPDATES).add(update)
  return done(tx)
}

/** Streams the stored updates in key order; answers how many there were and the last key. */
export const readUpdates = (db: IDBDatabase, onUpdate: (update: Uint8Array, index: number, count: number) => void): Promise<{ count: number; lastKey: number | null }> =>
  new Promise((resolve, reject) => {
    const tx = db.transaction(UPDATES, 'readonly')
    const store = tx.objectStore(UPDATES)
    const counting = store.count()
    let index = 0
    let lastKey: number | null = null
    counting.onsuccess = () => {
      const cursor = store.openCursor()
      cursor.onsuccess = () => {
        const at = cursor.result
        if (!at) return
        lastKey = at.key as number
        onUpdate(at.value as Uint8Array, index++, counting.result)
        at.continue()
      }
    }
    tx.oncomplete = () => resolve({ count: index, lastKey })
    tx.onerror = () => reject(tx.error ?? new Error('Reading the stored project failed'))
  })

/**
 * Replaces every update up to `lastKey` with `pieces`, keyed just below `lastKey` so they
 * stay in front of updates appended meanwhile (those may depend on them). One transaction:
 * a crash leaves either the old updates or the pieces.
 */
export const replaceUpdates = (db: IDBDatabase, lastKey: number, pieces: readonly Uint8Array[]): Promise<void> => {
  const tx = db.transaction(UPDATES, 'readwrite')
  const store = tx.objectStore(UPDATES)
  store.delete(IDBKeyRange.upperBound(lastKey))
  pieces.forEach((piece, i) => store.put(piece, lastKey - 1 + (i + 1) / (pieces.length + 1)))
  return done(tx)
}

/** A value kept in the log's `custom` store (y-indexeddb's place for such values). */
export const customValue = <T>(name: string, key: string, factory?: IDBFactory): { read(): Promise<T | undefined>; write(value: T): Promise<void> } => {
  const withStore = async <R>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<R>): Promise<R> => {
    const db = await openUpdateLog(name, factory)
    try {
      return await new Promise<R>((resolve, reject) => {
        const req = fn(db.transaction('custom', mode).objectStore('custom'))
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'))
      })
    } finally {
      db.close()
    }
  }
  return {
    read: async () => (await withStore('readonly', (s) => s.get(key))) as T | undefined,
    write: async (value) => void (await withStore('readwrite', (s) => s.put(value, key))),
  }
}

/** A number kept in the log's `custom` store. */
export const customNumber = (name: string, key: string): { read(): Promise<number>; write(n: number): void } => {
  const value = customValue<number>(name, key)
  return {
    read: async () => Number(await value.read()) || 0,
    write: (n) => void value.write(n).catch(() => undefined),
  }
}
