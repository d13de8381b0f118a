import { openDatabase, request } from './idb.ts'

/**
 * The grid's first screens of a project's latest state as small plain data, so a cold start
 * paints at once while the document loads. Read-only, replaced as the document changes.
 */

/** One cached cell: labels as `[labelId, classId, x, y, w, h]` (ids, so an edit made from the cache names the real label), tags sorted. */
export interface CachedItem {
  id: string
  name: string
  blob: string
  mime: string
  width: number
  height: number
  labels: Array<[labelId: string, classId: string, x: number, y: number, w: number, h: number]>
  tags: string[]
}

export interface GridCache {
  projectId: string
  /** Bumped when this shape changes; other values are ignored. */
  format: number
  /** `Y.encodeStateVector` of the document the cache was built from. */
  stateVector: Uint8Array
  name: string
  /** Items on latest, of which `items` are the first in display order. */
  total: number
  items: CachedItem[]
  classes: Array<{ id: string; name: string; color: string }>
  savedAt: number
}

export const GRID_CACHE_FORMAT = 2

/** Where grid caches are kept: IndexedDB in the app, a Map in tests. */
export interface GridCacheStore {
  read(projectId: string): Promise<GridCache | null>
  write(cache: GridCache): Promise<void>
}

const STORE = 'grids'

const isGridCache = (value: unknown, projectId: string): value is GridCache =>
  typeof value === 'object' && value !== null && (value as GridCache).format === GRID_CACHE_FORMAT && (value as GridCache).projectId === projectId && Array.isArray((value as GridCache).items)

/** The grid caches of this browser, one record per project. */
export const indexedDbGridCaches = (): GridCacheStore => {
  let db: Promise<IDBDatabase> | null = null
  const open = (): Promise<IDBDatabase> => (db ??= openDatabase('strata:grid', [STORE]))
  return {
    read: async (projectId) => {
      const value = await request<unknown>(await open(), STORE, 'readonly', (s) => s.get(projectId))
      return isGridCache(value, projectId) ? value : null
    },
    write: async (cache) => {
      await request(await open(), STORE, 'readwrite', (s) => s.put(cache, cache.projectId))
    },
  }
}

/** A store in memory, for tests and for browsers without IndexedDB. */
export const memoryGridCaches = (): GridCacheStore & { records: Map<string, GridCache> } => {
  const records = new Map<string, GridCache>()
  return {
    records,
    read: async (projectId) => {
      const value = records.get(projectId)
      return isGridCache(value, projectId) ? structuredClone(value) : null
    },
    write: async (cache) => {
      records.set(cache.projectId, structuredClone(cache))
    },
  }
}
