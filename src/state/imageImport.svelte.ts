import type * as Y from 'yjs'
import { type Actor, addItem } from '../domain/index.ts'
import { applyAtomically } from '../io/index.ts'
import type { BlobStore } from '../sync/blobs.ts'
import { readFile } from '../sync/files.ts'
import { keepOpenWhile } from './holds.ts'

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

const BATCH = 200
const PARALLEL = 4

/**
 * Adding images in the background: each file is hashed and measured in a worker, saved in
 * IndexedDB (and queued for upload), then added as items in batches of one IMPORT
 * transaction each. It outlives the button that started it and the project's page (the
 * document stays open until the run ends); more files join the same run. While it runs,
 * closing the tab asks first: files read but not yet added would be lost.
 */
export class ImageImport {
  #done = $state.raw(0)
  #total = $state.raw(0)
  #added = $state.raw(0)
  #failed = $state.raw<string[]>([])
  #queue: NamedFile[] = []
  #ready: Ready[] = []
  #known = new Set<string>()
  #running = $state.raw(false)

  constructor(
    readonly doc: Y.Doc,
    readonly blobs: BlobStore,
    readonly actor: () => Actor,
  ) {}

  /** Files handled so far and in all, while a run is going; null when idle. */
  get progress(): { done: number; total: number } | null {
    return this.#total > this.#done || this.#running ? { done: this.#done, total: this.#total } : null
  }

  /** What the last run did, for the person who started it. */
  get summary(): { added: number; failed: string[] } {
    return { added: this.#added, failed: this.#failed }
  }

  /** Queues files; starts a run unless one is going. */
  add(files: NamedFile[]): void {
    if (!this.#running) {
      this.#done = this.#total = this.#added = 0
      this.#failed = []
    }
    this.#queue.push(...files)
    this.#total += files.length
    if (!this.#running) void keepOpenWhile(this.doc, this.#run())
  }

  async #run(): Promise<void> {
    this.#running = true
    addEventListener('beforeunload', askFirst)
    try {
      // Same name, same content: already in the project, not added twice.
      this.#known = new Set([...this.doc.getMap<{ name: string; blob: string }>('items').values()].map((i) => `${i.name}\n${i.blob}`))
      await Promise.all(Array.from({ length: PARALLEL }, () => this.#worker()))
      this.#flush()
    } finally {
      this.#running = false
      removeEventListener('beforeunload', askFirst)
      this.#total = this.#done
    }
    void this.blobs.flush()
  }

  async #worker(): Promise<void> {
    for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
      const read = next.name.length > 200 ? { ok: false as const, error: `${next.name}: an item name is at most 200 characters` } : await readFile('image', next.file)
      if (!read.ok) this.#failed = [...this.#failed, read.error]
      else if (read.value.kind === 'image' && !this.#known.has(`${next.name}\n${read.value.sha256}`)) {
        const { sha256, mime, width, height } = read.value
        this.#known.add(`${next.name}\n${sha256}`)
        try {
          await this.blobs.add(next.file, sha256)
          this.#ready.push({ name: next.name, sha256, mime, width, height })
        } catch (e) {
          this.#failed = [...this.#failed, `${next.name}: ${e instanceof Error ? e.message : String(e)}`]
        }
      }
      this.#done++
      if (this.#ready.length >= BATCH) this.#flush()
    }
  }

  #flush(): void {
    const batch = this.#ready.splice(0)
    if (batch.length === 0) return
    try {
      applyAtomically(this.doc, () => {
        for (const i of batch) addItem(this.doc, { name: i.name, blob: i.sha256, mime: i.mime, width: i.width, height: i.height }, this.actor())
      })
      this.#added += batch.length
    } catch (e) {
      this.#failed = [...this.#failed, `${batch.length} images were not added: ${e instanceof Error ? e.message : String(e)}`]
    }
    void this.blobs.flush()
  }
}

/** Makes the browser ask before the tab closes. */
const askFirst = (event: BeforeUnloadEvent): void => event.preventDefault()

const running = new WeakMap<Y.Doc, ImageImport>()

/** The project's image import, kept for the life of the page so leaving the view does not stop it. */
export const imageImportFor = (doc: Y.Doc, blobs: BlobStore, actor: () => Actor): ImageImport => {
  let found = running.get(doc)
  if (!found) running.set(doc, (found = new ImageImport(doc, blobs, actor)))
  return found
}

/** Every file under a dropped folder (or the dropped files), named by their path in it. */
export const droppedFiles = async (items: DataTransferItemList): Promise<NamedFile[]> => {
  const entries = [...items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null)
  const out: NamedFile[] = []
  const visit = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))
      out.push({ file, name: entry.fullPath.replace(/^\//, '') })
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader()
      // readEntries answers in chunks (100 in Chromium) until it answers an empty list.
      for (;;) {
        const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject))
        if (chunk.length === 0) break
        for (const child of chunk) await visit(child)
      }
    }
  }
  for (const entry of entries) await visit(entry)
  return out
}

/** Image files only, by type or extension (folders hold other files too). */
export const onlyImages = (files: NamedFile[]): NamedFile[] =>
  files.filter((f) => f.file.type.startsWith('image/') || /\.(png|jpe?g|gif|webp|bmp|avif)$/i.test(f.name))
