import { openDatabase, request } from './idb.ts'
import { downloadBlob, uploadBlob } from './api.ts'

/** sha256 of some bytes as lowercase hex: the name of a content-addressed blob. */
export const sha256Hex = async (bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

const BLOBS = 'blobs'
const OUTBOX = 'outbox'

type Listener = () => void

/**
 * Image and prediction files of one project: kept in IndexedDB by hash, fetched from the
 * server when missing, and uploaded from an outbox that survives reloads and offline time.
 */
export class BlobStore {
  #db: Promise<IDBDatabase>
  #listeners = new Set<Listener>()
  #pending = 0
  #flushing = false
  #again = false
  /** Operations on the database still running: it is closed only after the last. */
  #busy = 0
  #destroyed = false

  constructor(
    readonly projectId: string,
    readonly token: string,
  ) {
    this.#db = openDatabase('strata:blobs', [BLOBS, OUTBOX])
    this.#countPending().catch(() => undefined)
  }

  /** Blobs saved here that the server does not have yet. */
  get pending(): number {
    return this.#pending
  }

  /** Calls `fn` when the pending count changes; answers the unsubscribe. */
  onChange(fn: Listener): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  /** Saves a file locally under its hash (computed here unless a worker already did) and queues it for upload. */
  async add(blob: Blob, known?: string): Promise<string> {
    const sha = known ?? (await sha256Hex(await blob.arrayBuffer()))
    await this.#using(async (db) => {
      await request(db, BLOBS, 'readwrite', (s) => s.put(blob, sha))
      await request(db, OUTBOX, 'readwrite', (s) => s.put(this.projectId, `${this.projectId}/${sha}`))
    })
    await this.#countPending()
    return sha
  }

  /**
   * Runs `work` on the open database, refusing once the store is destroyed. A destroy while
   * work runs (a download that lands after its page went) closes the database after it, not
   * under it: a transaction on a closing connection throws.
   */
  async #using<T>(work: (db: IDBDatabase) => Promise<T>): Promise<T> {
    if (this.#destroyed) throw new Error('The file store of this project is closed')
    this.#busy++
    try {
      return await work(await this.#db)
    } finally {
      if (--this.#busy === 0 && this.#destroyed) this.#close()
    }
  }

  #close(): void {
    void this.#db.then((db) => db.close(), () => undefined)
  }

  /** The file with this hash, from IndexedDB or else from the server (then kept); null if nobody has it. */
  async get(sha: string): Promise<Blob | null> {
    if (this.#destroyed) return null
    return this.#using(async (db) => {
      const local = await request<Blob | undefined>(db, BLOBS, 'readonly', (s) => s.get(sha))
      if (local) return local
      const remote = await downloadBlob(this.token, this.projectId, sha).catch(() => null)
      if (remote) await request(db, BLOBS, 'readwrite', (s) => s.put(remote, sha))
      return remote
    })
  }

  /** Closes the database once what runs on it is done: the project is closed. */
  destroy(): void {
    if (this.#destroyed) return
    this.#destroyed = true
    this.#listeners.clear()
    if (this.#busy === 0) this.#close()
  }

  /** Uploads what the outbox holds; stops at the first network failure and tries again next time. */
  async flush(): Promise<void> {
    if (this.#destroyed) return
    if (this.#flushing) {
      this.#again = true
      return
    }
    this.#flushing = true
    this.#again = false
    try {
      await this.#using(async (db) => {
        const keys = await request<IDBValidKey[]>(db, OUTBOX, 'readonly', (s) => s.getAllKeys())
        for (const key of keys.map(String).filter((k) => k.startsWith(`${this.projectId}/`))) {
          if (this.#destroyed) return
          const sha = key.slice(this.projectId.length + 1)
          const blob = await request<Blob | undefined>(db, BLOBS, 'readonly', (s) => s.get(sha))
          if (blob) await uploadBlob(this.token, this.projectId, sha, blob)
          await request(db, OUTBOX, 'readwrite', (s) => s.delete(key))
          await this.#countPending(db)
        }
      })
    } catch {
      // offline or refused: the outbox keeps the rest for the next flush
      this.#again = false
    } finally {
      this.#flushing = false
    }
    // Files added while this flush ran go up now rather than at the next timer.
    if (this.#again) await this.flush()
  }

  /** Recounts the outbox; `db` when already inside `#using`, else it takes its own turn. */
  async #countPending(db?: IDBDatabase): Promise<void> {
    if (this.#destroyed) return
    const range = IDBKeyRange.bound(`${this.projectId}/`, `${this.projectId}/\uffff`)
    const count = (d: IDBDatabase): Promise<number> => request<number>(d, OUTBOX, 'readonly', (s) => s.count(range))
    const pending = await (db ? count(db) : this.#using(count))
    if (pending !== this.#pending) {
      this.#pending = pending
      for (const fn of this.#listeners) fn()
    }
  }
}
