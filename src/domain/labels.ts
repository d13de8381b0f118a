import type * as Y from 'yjs'
import { type Actor, type ClassId, type ItemId, type LabelId, newId } from './ids.ts'
import { type BBox, type ItemRecord, type LabelRecord, type ProjectMaps, maps, write } from './project.ts'
import { NotFoundError, ValidationError } from './errors.ts'
import { type CocoLabelRef, cocoRule, withCoco } from './cocoRef.ts'
import { ACTOR, type RecordSchema, type Rule, TIME, requireRecord, text } from './rules.ts'

/** A box's shape: four finite numbers `[x, y, w, h]` with a positive size (where it lies is checked against its image). */
const BOX: Rule = (v) => {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((n) => typeof n === 'number' && Number.isFinite(n))) return 'must be [x, y, w, h], four finite numbers'
  return (v[2] as number) > 0 && (v[3] as number) > 0 ? null : `must have a positive width and height, got ${String(v[2])} x ${String(v[3])}`
}

/** A box label, as the domain writes it and the server accepts it. */
export const LABEL: RecordSchema<LabelRecord> = {
  what: 'Label',
  fields: { itemId: text(100), classId: text(100), bbox: BOX, by: ACTOR, at: TIME, coco: cocoRule('label') },
}

/** Half a pixel of slack for boxes drawn to the image edge with rounding. */
const EDGE = 0.5

/** Checks a box against its image: four finite numbers, positive size, inside the image. */
export const requireBBox = (value: unknown, item: Pick<ItemRecord, 'width' | 'height'>): BBox => {
  const problem = BOX(value)
  if (problem !== null) throw new ValidationError(`A box ${problem}`)
  const [x, y, w, h] = value as BBox
  if (x < -EDGE || y < -EDGE || x + w > item.width + EDGE || y + h > item.height + EDGE) {
    throw new ValidationError(`The box [${x}, ${y}, ${w}, ${h}] lies outside the ${item.width} x ${item.height} image`)
  }
  return [x, y, w, h]
}

const requireItem = (m: ProjectMaps, itemId: ItemId): ItemRecord => {
  const item = m.items.get(itemId)
  if (!item) throw new NotFoundError(`No item ${itemId}`)
  return item
}

/** Checks that the class exists in `home`, the document holding the project's classes (a sharded project's root). */
const requireClass = (home: Y.Doc, classId: ClassId): ClassId => {
  if (!maps(home).classes.has(classId)) throw new NotFoundError(`No class ${classId}`)
  return classId
}

const lastWritten = new WeakMap<Y.Doc, number>()

/**
 * The time a label is written at: strictly after the previous label this replica wrote in the
 * project whose clock `home` keeps, by a fraction of a millisecond, so labels written in one go
 * (a COCO file) keep the order they were given. COCOeval breaks ties between equal boxes by that order.
 */
const writtenAt = (home: Y.Doc): number => {
  const at = Math.max(Date.now(), (lastWritten.get(home) ?? 0) + 1 / 1024)
  lastWritten.set(home, at)
  return at
}

/** Checks a new label and returns the record to store. */
const labelRecord = (m: ProjectMaps, home: Y.Doc, itemId: ItemId, input: NewLabel, by: Actor): LabelRecord => {
  const item = requireItem(m, itemId)
  return requireRecord(LABEL, {
    itemId, classId: requireClass(home, input.classId), bbox: requireBBox(input.bbox, item), by: { id: by.id, name: by.name }, at: writtenAt(home),
    ...withCoco(input.coco),
  })
}

/** A label to draw: its class and box, and the COCO annotation it came from, if any. */
export interface NewLabel { classId: ClassId; bbox: BBox; coco?: CocoLabelRef }

/**
 * Draws a box label on an item; `id` is given when the label was shown before it was written
 * (an early edit). `home` holds the classes and the clock: a sharded project's root.
 */
export const addLabel = (doc: Y.Doc, itemId: ItemId, input: NewLabel, by: Actor, id: LabelId = newId<LabelId>(), home: Y.Doc = doc): LabelId =>
  write(doc, (m) => {
    m.labels.set(id, labelRecord(m, home, itemId, input, by))
    return id
  })

const requireLabel = (m: ProjectMaps, itemId: ItemId, labelId: LabelId): LabelRecord => {
  const label = m.labels.get(labelId)
  if (!label || label.itemId !== itemId) throw new NotFoundError(`No label ${labelId} on item ${itemId}`)
  return label
}

/** Moves, resizes or reclassifies a label: one finished gesture, one write (`home` as for `addLabel`). */
export const updateLabel = (doc: Y.Doc, itemId: ItemId, labelId: LabelId, patch: { classId?: ClassId; bbox?: BBox }, by: Actor, home: Y.Doc = doc): void =>
  write(doc, (m) => {
    const label = requireLabel(m, itemId, labelId)
    const item = requireItem(m, itemId)
    const next = requireRecord(LABEL, {
      itemId,
      classId: patch.classId === undefined ? label.classId : requireClass(home, patch.classId),
      bbox: patch.bbox === undefined ? label.bbox : requireBBox(patch.bbox, item),
      by: { id: by.id, name: by.name },
      at: writtenAt(home),
      // Where it came from stays; an export tells from the box whether COCO's area still holds.
      ...withCoco(label.coco),
    })
    m.labels.set(labelId, next)
  })

/** Deletes a label. */
export const removeLabel = (doc: Y.Doc, itemId: ItemId, labelId: LabelId): void =>
  write(doc, (m) => {
    requireLabel(m, itemId, labelId)
    m.labels.delete(labelId)
  })
