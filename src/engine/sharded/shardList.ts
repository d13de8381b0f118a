import { customValue } from '../../sync/updateLog.ts'

/** A set of shard indexes kept in the root's database, e.g. the shards this device once received whole. */
export interface ShardList {
  has(i: number): boolean
  values(): number[]
  /** Adds shard `i`; settles once the list is stored. */
  add(i: number): Promise<void>
  /** Removes shard `i`; settles once the list is stored. */
  delete(i: number): Promise<void>
}

/** The `custom` keys of the lists: shards received whole at least once, and shards with local changes not yet sent. */
export const SYNCED = 'shards-synced'
export const UNSENT = 'shards-unsent'

const isIndexList = (v: unknown): v is number[] => Array.isArray(v) && v.every((i) => Number.isInteger(i) && i >= 0)

/** Reads list `key` from database `name` (an older or foreign value counts as empty). */
export const readShardList = async (name: string, key: string, factory?: IDBFactory): Promise<ShardList> => {
  const stored = customValue<number[]>(name, key, factory)
  const value = await stored.read()
  const set = new Set(isIndexList(value) ? value : [])
  // One write at a time, each of the whole list, so a later one never loses to an earlier one.
  let writing = Promise.resolve()
  const save = (): Promise<void> => {
    writing = writing.then(() => stored.write([...set].sort((a, b) => a - b))).catch((error: unknown) => console.warn(`The shard list ${key} was not stored:`, error))
    return writing
  }
  return {
    has: (i) => set.has(i),
    values: () => [...set],
    add: (i) => (set.has(i) ? writing : (set.add(i), save())),
    delete: (i) => (set.delete(i) ? save() : writing),
  }
}
