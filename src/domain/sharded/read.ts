import type * as Y from 'yjs'
import type { ItemId } from '../ids.ts'
import type { ItemRecord } from '../project.ts'
import * as Read from '../read.ts'
import * as ReadItem from '../readItem.ts'
import { type ShardedProject, allShards, itemShard, shardIndex } from './shards.ts'

// Reads work the same on the live project and on an opened version (whose shards are views).

/** Materialises the whole project (every shard); for an opened version, as it was then. */
export const readProject = async (p: ShardedProject): Promise<Read.ProjectJson> => {
  const docs = await allShards(p)
  const project = Read.readProject(p.root)
  return { ...project, items: Read.sortItems(docs.flatMap((doc) => Read.readProject(doc).items)) }
}

/** One item with its labels and tags, or null; loads only its shard. */
export const readItem = async (p: ShardedProject, itemId: ItemId): Promise<Read.ItemJson | null> => ReadItem.readItem(await itemShard(p, itemId), itemId)

/** Several items (a screen of them), in the order asked, null where absent; loads only the shards they live in. */
export const readItems = async (p: ShardedProject, itemIds: readonly ItemId[]): Promise<Array<Read.ItemJson | null>> => {
  const wanted = [...new Set(itemIds.map((id) => shardIndex(p, id)))]
  const docs = new Map<number, Y.Doc>(await Promise.all(wanted.map(async (i) => [i, await p.shards.open(i)] as const)))
  return itemIds.map((id) => ReadItem.readItem(docs.get(shardIndex(p, id)) as Y.Doc, id))
}

/** Every item record in display order, without labels (every shard). */
export const listItems = async (p: ShardedProject): Promise<Array<{ id: ItemId } & ItemRecord>> =>
  Read.sortItems((await allShards(p)).flatMap((doc) => ReadItem.listItems(doc)))

/** Every class, sorted by name (the root only). */
export const listClasses = (p: ShardedProject): Read.ClassJson[] => Read.listClasses(p.root)
