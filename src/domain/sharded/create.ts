import type * as Y from 'yjs'
import { MIGRATION } from '../origins.ts'
import { type MetaRecord, maps, newProjectDoc } from '../project.ts'
import { StrataError } from '../errors.ts'
import { trackDeletes } from '../deleteLog.ts'
import { META } from '../create.ts'
import { COUNT, type Fields, type Rule, requireValue, trimmed } from '../rules.ts'
import { DEFAULT_SHARDS, isShardCount } from './placement.ts'
import type { ShardedProject, Shards } from './shards.ts'

/** The sharded layout, recorded in `meta.schema` of the root and of every shard. */
export const SHARDED_SCHEMA = 2

/** The root's project fields: schema 1's, plus the shard count. */
export interface RootMeta extends MetaRecord {
  shards: number
}
/** A shard's fields: its place among the project's shards. */
export interface ShardMeta {
  schema: number
  shard: number
  of: number
}

const SHARD_COUNT: Rule = (v) => (isShardCount(v) ? null : 'must be a power of two from 1 to 1024')

/** The root's `meta` fields, as the domain writes them and the server checks them. */
export const ROOT_META: Fields<RootMeta> = { ...META, shards: SHARD_COUNT }

/** A shard's `meta` fields. */
export const SHARD_META: Fields<ShardMeta> = { schema: COUNT, shard: COUNT, of: SHARD_COUNT }

/**
 * A document of a sharded project (the root or a shard): gc off, deletes tracked, `meta` set in
 * one transaction. `clientID`, when given, is its Yjs client id from the start: a migration
 * fixes it so that two runs over the same state write the same bytes.
 */
export const shardedDoc = (meta: Partial<RootMeta> | ShardMeta, clientID?: number): Y.Doc => {
  const doc = newProjectDoc()
  if (clientID !== undefined) doc.clientID = clientID
  trackDeletes(doc)
  doc.transact(() => {
    const m = maps(doc).meta
    for (const [key, value] of Object.entries(meta)) m.set(key, value)
  }, MIGRATION)
  return doc
}

/** A shard's `meta`: shard `i` of `count`. */
export const shardMeta = (i: number, count: number): ShardMeta => ({ schema: SHARDED_SCHEMA, shard: i, of: count })

/** The documents of a new sharded project: a root and `count` shards, gc off, meta set, deletes tracked. */
export const createShardedProject = (input: { name: string }, count: number = DEFAULT_SHARDS): { root: Y.Doc; shards: Y.Doc[] } => {
  const name = requireValue(META.name, trimmed(input.name), 'Project name')
  requireValue(SHARD_COUNT, count, 'Shard count')
  const root = shardedDoc({ schema: SHARDED_SCHEMA, name, createdAt: Date.now(), shards: count })
  return { root, shards: Array.from({ length: count }, (_, i) => shardedDoc(shardMeta(i, count))) }
}

/** The shard count a sharded root records; throws when `root` is not one. */
export const shardCount = (root: Y.Doc): number => {
  const m = maps(root).meta
  const count = m.get('shards')
  if (m.get('schema') !== SHARDED_SCHEMA || !isShardCount(count)) throw new StrataError('This document is not the root of a sharded project')
  return count
}

/** A sharded project from its root and shards; throws when they do not match. */
export const shardedProject = (root: Y.Doc, shards: Shards): ShardedProject => {
  const count = shardCount(root)
  if (shards.count !== count) throw new StrataError(`The project has ${count} shards, but ${shards.count} were given`)
  return { root, shards }
}
