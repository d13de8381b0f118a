import type * as Y from 'yjs'
import { type Actor, ReadOnlyError, addItem, isReadOnly, maps } from '../domain/index.ts'
import { applyAtomically } from '../io/index.ts'
import type { FileStore } from './opened.ts'
import { readImage } from './files.ts'

/** A file to import and the name its item gets (its path inside a dropped or picked folder). */
export interface NamedFile {
  file: File
  name: string
}

interface Ready {
  name: string
  sha256: string
  mime: string
  width: number
  height: number
}

/** What the tabs show of the import going on. */
export interface ImportState { done: number; total: number; added: number; failed: string[]; running: boolean }

const BATCH = 200
const PARALLEL = 4

/**
 * Adding images in the background, in the engine: each file is hashed and measured, saved in
 * IndexedDB (and queued for upload), then added as items in batches of one IMPORT
 * transaction each. `target` is the document the tab shows, so an old version refuses it.
 * More files join the run going on; the project stays open until the run ends (`running`).
 */
export class ImageImport {
  #state: ImportState = { done: 0, total: 0, added: 0, failed: [], running: false }
  #queue: NamedFile[] = []
  #ready: Ready[] = []
  #known = new Set<string>()
  #run: Promise<void> = Promise.resolve()
  #actor: Actor = { id: '', name: '' }

  constructor(
    readonly doc: Y.Doc,
    readonly blobs: FileStore,
    readonly changed: () => void,
  ) {}

  get state(): ImportState {
    return this.#state
  }

  /** Settles when the run going on (if any) has ended. */
  get running(): Promise<void> {
    return this.#run
  }

  /** Queues files; starts a run unless one is going. */
  add(target: Y.Doc, files: NamedFile[], actor: Actor): void {
    // Refused here, before any file is read, when the tab shows an old version.
    if (isReadOnly(target)) throw new ReadOnlyError()
    this.#actor = actor
    const s = this.#state
    this.#state = s.running ? { ...s, total: s.total + files.length } : { done: 0, total: files.length, added: 0, failed: [], running: true }
    this.#queue.push(...files)
    this.changed()
    if (!s.running) this.#run = this.#go()
  }

  #set(patch: Partial<ImportState>): void {
    this.#state = { ...this.#state, ...patch }
    this.changed()
  }

  async #go(): Promise<void> {
    try {
      // Same name, same content: already in the project, not added twice.
      this.#known = new Set([...maps(this.doc).items.values()].map((i) => `${i.name}\n${i.blob}`))
      await Promise.all(Array.from({ length: PARALLEL }, () => this.#worker()))
      this.#flush()
    } finally {
      this.#set({ running: false, total: this.#state.done })
    }
    void this.blobs.flush()
  }

  async #worker(): Promise<void> {
    for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
      const read = next.name.length > 200 ? { ok: false as const, error: `${next.name}: an item name is at most 200 characters` } : await readImage(next.file)
      if (!read.ok) this.#set({ failed: [...this.#state.failed, read.error] })
      else if (!this.#known.has(`${next.name}\n${read.value.sha256}`)) {
        const { sha256, mime, width, height } = read.value
        this.#known.add(`${next.name}\n${sha256}`)
        try {
          await this.blobs.add(next.file, sha256)
          this.#ready.push({ name: next.name, sha256, mime, width, height })
        } catch (e) {
          this.#set({ failed: [...this.#state.failed, `${next.name}: ${e instanceof Error ? e.message : String(e)}`] })
        }
      }
      this.#set({ done: this.#state.done + 1 })
      if (this.#ready.length >= BATCH) this.#flush()
    }
  }

  #flush(): void {
    const actor = this.#actor
    const batch = this.#ready.splice(0)
    if (batch.length === 0) return
    try {
      applyAtomically(this.doc, () => {
        for (const i of batch) addItem(this.doc, { name: i.name, blob: i.sha256, mime: i.mime, width: i.width, height: i.height }, actor)
      })
      this.#set({ added: this.#state.added + batch.length })
    } catch (e) {
      this.#set({ failed: [...this.#state.failed, `${batch.length} images were not added: ${e instanceof Error ? e.message : String(e)}`] })
    }
    void this.blobs.flush()
  }
}
