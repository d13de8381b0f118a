import type * as Y from 'yjs'
import { type Changed, type FileStore, type OpenedProject, onMapsChanged } from '../../src/engine/opened.ts'
import { ImageImport } from '../../src/engine/imageImport.ts'
import type { EngineLink } from '../../src/state/engineLink.ts'
import { connectTo } from './hosted.ts'

/** Files kept in memory by hash. */
export const memoryFiles = (): FileStore & { files: Map<string, Blob> } => {
  const files = new Map<string, Blob>()
  return {
    files,
    pending: 0,
    get: async (sha) => files.get(sha) ?? null,
    add: async (blob, sha) => {
      const key = sha ?? String(files.size)
      files.set(key, blob)
      return key
    },
    flush: async () => undefined,
    onChange: () => () => undefined,
  }
}

/** A project whose live document is `doc`, in memory: no storage, no server. */
export const memoryProject = (projectId: string, doc: Y.Doc): OpenedProject => {
  const listeners = new Set<Changed>()
  const blobs = memoryFiles()
  onMapsChanged(doc, (names) => listeners.forEach((fn) => fn(names)))
  const images = new ImageImport(doc, blobs, () => undefined)
  return {
    projectId, blobs, ready: Promise.resolve(doc), phase: 'ready', percent: 100, error: null, cache: null, doc,
    connection: null, saveError: null, images, early: null, earlyProblems: [], everSynced: true,
    onChange: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
    network: () => undefined,
    publish: () => undefined,
    close: async () => undefined,
  }
}

/** A tab's link to an engine host serving `doc`, over a real MessageChannel (structured clone both ways). */
export const connectTab = (doc: Y.Doc, projectId = 'p1'): { link: EngineLink; left: () => number; close: () => void } =>
  connectTo(memoryProject(projectId, doc), { id: 'u-ada', name: 'Ada' })

/** The next value of a topic that satisfies `ok`. */
export const nextValue = <T>(watch: (fn: (v: T) => void) => () => void, ok: (v: T) => boolean = () => true): Promise<T> =>
  new Promise((resolve) => {
    const stop = watch((v) => {
      if (!ok(v)) return
      setTimeout(() => stop(), 0)
      resolve(v)
    })
  })
