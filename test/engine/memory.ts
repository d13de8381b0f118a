import type * as Y from 'yjs'
import { maps } from '../../src/domain/index.ts'
import { EngineHost } from '../../src/engine/host.ts'
import type { Changed, FileStore, MapName, OpenedProject } from '../../src/engine/opened.ts'
import { ImageImport } from '../../src/engine/imageImport.ts'
import { EngineLink } from '../../src/state/engineLink.ts'
import type { EnginePort } from '../../src/state/engineLink.ts'

const NAMES: MapName[] = ['meta', 'classes', 'items', 'labels', 'tags', 'runs', 'versions', 'deletedVersions']

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
  const m = maps(doc)
  const byType = new Map<unknown, MapName>(NAMES.map((name) => [m[name], name]))
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    const names = new Set<MapName>()
    for (const type of tr.changed.keys()) {
      const name = byType.get(type)
      if (name) names.add(name)
    }
    for (const fn of listeners) fn(names)
  })
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
export const connectTab = (doc: Y.Doc, projectId = 'p1'): { link: EngineLink; left: () => number; close: () => void } => {
  const host = new EngineHost((id) => memoryProject(id, doc))
  const channel = new MessageChannel()
  host.connect(channel.port1 as unknown as Parameters<EngineHost['connect']>[0])
  const port = channel.port2 as unknown as EnginePort
  let left = 0
  const link = new EngineLink(port, { projectId, token: 't', actor: { id: 'u-ada', name: 'Ada' }, online: true, lock: null }, () => left++, () => undefined)
  return {
    link,
    left: () => left,
    close: () => {
      link.close()
      channel.port1.close()
      channel.port2.close()
    },
  }
}

/** The next value of a topic that satisfies `ok`. */
export const nextValue = <T>(watch: (fn: (v: T) => void) => () => void, ok: (v: T) => boolean = () => true): Promise<T> =>
  new Promise((resolve) => {
    const stop = watch((v) => {
      if (!ok(v)) return
      setTimeout(() => stop(), 0)
      resolve(v)
    })
  })
