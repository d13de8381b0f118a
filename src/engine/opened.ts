import type * as Y from 'yjs'
import { maps } from '../domain/index.ts'
import type { Awareness } from 'y-protocols/awareness'
import type { GridCache } from '../sync/gridCache.ts'
import type { EarlyEdits } from './early.ts'
import type { ImageImport } from './imageImport.ts'
import type { LinkState, Phase } from './protocol.ts'

/** The top-level maps a transaction can touch, by name. */
export type MapName = 'meta' | 'classes' | 'items' | 'labels' | 'tags' | 'runs' | 'versions' | 'deletedVersions'

/** What a project tells whoever shows it: something changed (the maps a transaction touched, if any). */
export type Changed = (names: ReadonlySet<MapName>) => void

/** A project's files: kept on this device by hash, fetched from the server when missing, uploaded from an outbox. */
export interface FileStore {
  readonly pending: number
  get(sha: string): Promise<Blob | null>
  add(blob: Blob, known?: string): Promise<string>
  flush(): Promise<void>
  onChange(fn: () => void): () => void
}

/** The link to the server as the engine's tabs see it. */
export interface ServerLink {
  readonly state: LinkState
  readonly reason: string
  readonly unsynced: number
  readonly awareness: Awareness
}

/**
 * One open project as its tabs' sessions use it: `ProjectEngine` in the app (IndexedDB,
 * websocket, files on the server), a document in memory in tests.
 */
export interface OpenedProject {
  readonly projectId: string
  readonly blobs: FileStore
  /** Settles with the live document once it is loaded. */
  readonly ready: Promise<Y.Doc>
  readonly phase: Phase
  readonly percent: number
  readonly error: string | null
  /** Latest's first cells as saved on this device, while the document loads. */
  readonly cache: GridCache | null
  readonly doc: Y.Doc | null
  readonly connection: ServerLink | null
  readonly saveError: string | null
  readonly images: ImageImport | null
  /** Where edits made before the document loaded are kept; null where the document is there at once. */
  readonly early: EarlyEdits | null
  /** Why edits made before the document loaded could not be applied to it, if any could not. */
  readonly earlyProblems: readonly string[]
  /** True once a sync with the server completed since the project opened. */
  readonly everSynced: boolean
  onChange(fn: Changed): () => void
  network(online: boolean): void
  /** What one tab tells the others (who, what they view); null when the tab leaves. The tabs of one replica share one presence. */
  publish(tab: object, user: { name: string; viewing: string } | null): void
  close(): Promise<void>
}

const NAMES: MapName[] = ['meta', 'classes', 'items', 'labels', 'tags', 'runs', 'versions', 'deletedVersions']

/** Every map name there is: what a newly loaded document "changed". */
export const ALL_MAPS: ReadonlySet<MapName> = new Set(NAMES)

/** Calls `fn` after every transaction that changed the document, with the top-level maps it touched. */
export const onMapsChanged = (doc: Y.Doc, fn: Changed): void => {
  const m = maps(doc)
  const byType = new Map<unknown, MapName>(NAMES.map((name) => [m[name], name]))
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    const names = new Set<MapName>()
    for (const type of tr.changed.keys()) {
      const name = byType.get(type)
      if (name) names.add(name)
    }
    if (names.size > 0 || tr.deleteSet.clients.size > 0) fn(names)
  })
}
