import * as Classes from '../classes.ts'
import * as Items from '../items.ts'
import * as Labels from '../labels.ts'
import * as Runs from '../runs.ts'
import { setTag as setTagOn } from '../tags.ts'
import { type DeletedVersion, deleteVersion as deleteVersionOf } from '../deletedVersions.ts'
import { type Actor, type ClassId, type ItemId, type LabelId, type RunId, type VersionId, newId } from '../ids.ts'
import type { BBox } from '../project.ts'
import { write } from '../project.ts'
import type { CocoClassRef, CocoRef } from '../cocoRef.ts'
import { type ShardedProject, itemShard, refuseReadOnly, shardIndex } from './shards.ts'

// Each command checks for an opened version first, then writes one document in one transaction
// with the single-document mutation, given the root for the classes and clocks a shard lacks.

/** Adds a data item to the shard its new id places it in. */
export const addItem = async (p: ShardedProject, input: Items.NewItem, by: Actor): Promise<ItemId> => {
  refuseReadOnly(p)
  const id = newId<ItemId>()
  return Items.addItem(await itemShard(p, id), input, by, id, Items.nextAddedAt(p.root))
}

/**
 * Adds many items (a folder, an import): every record checked before any is written, then one
 * transaction per shard they land in; shown in the order given.
 */
export const addItems = async (p: ShardedProject, inputs: readonly Items.NewItem[], by: Actor): Promise<ItemId[]> => {
  refuseReadOnly(p)
  const placed = inputs.map((input) => ({ id: newId<ItemId>(), record: Items.itemRecord(input, by, Items.nextAddedAt(p.root)) }))
  const groups = new Map<number, typeof placed>()
  for (const item of placed) {
    const i = shardIndex(p, item.id)
    let group = groups.get(i)
    if (!group) groups.set(i, (group = []))
    group.push(item)
  }
  const docs = await Promise.all([...groups].map(async ([i, group]) => ({ doc: await p.shards.open(i), group })))
  for (const { doc, group } of docs) write(doc, (m) => group.forEach(({ id, record }) => m.items.set(id, record)))
  return placed.map((item) => item.id)
}

/** Removes an item with its labels and tags (all in its shard). */
export const removeItem = async (p: ShardedProject, itemId: ItemId): Promise<void> => {
  refuseReadOnly(p)
  Items.removeItem(await itemShard(p, itemId), itemId)
}

/** Records the COCO image an existing item is. */
export const linkItemToCoco = async (p: ShardedProject, itemId: ItemId, coco: CocoRef): Promise<void> => {
  refuseReadOnly(p)
  Items.linkItemToCoco(await itemShard(p, itemId), itemId, coco)
}

/** Draws a box label on an item, in the item's shard; the class must exist in the root. */
export const addLabel = async (p: ShardedProject, itemId: ItemId, input: Labels.NewLabel, by: Actor, id: LabelId = newId<LabelId>()): Promise<LabelId> => {
  refuseReadOnly(p)
  return Labels.addLabel(await itemShard(p, itemId), itemId, input, by, id, p.root)
}

/** Moves, resizes or reclassifies a label. */
export const updateLabel = async (p: ShardedProject, itemId: ItemId, labelId: LabelId, patch: { classId?: ClassId; bbox?: BBox }, by: Actor): Promise<void> => {
  refuseReadOnly(p)
  Labels.updateLabel(await itemShard(p, itemId), itemId, labelId, patch, by, p.root)
}

/** Deletes a label. */
export const removeLabel = async (p: ShardedProject, itemId: ItemId, labelId: LabelId): Promise<void> => {
  refuseReadOnly(p)
  Labels.removeLabel(await itemShard(p, itemId), itemId, labelId)
}

/** Puts a tag on an item or takes it off. */
export const setTag = async (p: ShardedProject, itemId: ItemId, tag: string, on: boolean): Promise<void> => {
  refuseReadOnly(p)
  setTagOn(await itemShard(p, itemId), itemId, tag, on)
}

/** Adds a class to the ontology (in the root). */
export const addClass = (p: ShardedProject, input: { name: string; color?: string; coco?: CocoClassRef }): ClassId => Classes.addClass(p.root, input)

/** Renames or recolors a class. */
export const updateClass = (p: ShardedProject, classId: ClassId, patch: { name?: string; color?: string }): void => Classes.updateClass(p.root, classId, patch)

/** Records a prediction run (in the root). */
export const addRun = (p: ShardedProject, input: { name: string; model: string; blob: string; count: number }, by: Actor): RunId => Runs.addRun(p.root, input, by)

/** Removes a run record. */
export const removeRun = (p: ShardedProject, runId: RunId): void => Runs.removeRun(p.root, runId)

/** Removes a version's root record, leaving a trace; its shard records stay, as later cuts may use them. */
export const deleteVersion = (p: ShardedProject, versionId: VersionId, by: Actor): DeletedVersion => deleteVersionOf(p.root, versionId, by)
