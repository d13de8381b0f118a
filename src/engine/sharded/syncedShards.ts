import { customValue } from '../../sync/updateLog.ts'

/** The shards this device has once received whole from the server, as kept in the root's database. */
export interface SyncedShards {
  has(i: number): boolean
  /** Records shard `i`; settles once it is stored. */
  add(i: number): Promise<void>
}

/** The `custom` key of the root's database that lists them. */
const KEY = 'shards-synced'

const isIndexList = (v: unknown): v is number[] => Array.isArray(v) && v.every((i) => Number.isInteger(i) && i >= 0)

/** Reads the list from database `name` (an older or foreign value counts as none). */
export const readSyncedShards = async (name: string, factory?: IDBFactory): Promise<SyncedShards> => {
  const stored = customValue<number[]>(name, KEY, factory)
  const value = await stored.read()
  const set = new Set(isIndexList(value) ? value : [])
  // One write at a time, each of the whole list, so a later one never loses to an earlier one.
  let writing = Promise.resolve()
  return {
    has: (i) => set.has(i),
    add: (i) => {
      if (set.has(i)) return writing
      set.add(i)
      writing = writing.then(() => stored.write([...set].sort((a, b) => a - b))).catch((error: unknown) => console.warn('Which shards synced was not stored:', error))
      return writing
    },
  }
}
