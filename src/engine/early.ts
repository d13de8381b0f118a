import type * as Y from 'yjs'
import { type Actor, type BBox, type ClassId, type ItemId, type LabelId, LOCAL, addLabel, newId, removeLabel, setTag, updateLabel } from '../domain/index.ts'
import { requireBBox } from '../domain/labels.ts'
import { requireTag } from '../domain/tags.ts'
import { dropEarlyEdits, keepEarlyEdit, readEarlyEdits } from '../sync/earlyEdits.ts'
import type { Cell } from './protocol.ts'

/** An edit made on the grid cache's cells, before the document loaded. */
export type EarlyEdit = { by: Actor } & (
  | { kind: 'setTags'; ids: ItemId[]; tag: string; on: boolean }
  | { kind: 'addLabel'; itemId: ItemId; classId: ClassId; bbox: BBox; id: LabelId }
  | { kind: 'updateLabel'; itemId: ItemId; labelId: LabelId; patch: { classId?: ClassId; bbox?: BBox } }
  | { kind: 'removeLabel'; itemId: ItemId; labelId: LabelId }
)

/** Makes a new label's id up front, so the tab can select the box before it is written. */
export const earlyLabelId = (): LabelId => newId<LabelId>()

const applyOne = (doc: Y.Doc, e: EarlyEdit): void => {
  if (e.kind === 'setTags') e.ids.forEach((id) => setTag(doc, id, e.tag, e.on))
  else if (e.kind === 'addLabel') addLabel(doc, e.itemId, { classId: e.classId, bbox: e.bbox }, e.by, e.id)
  else if (e.kind === 'updateLabel') updateLabel(doc, e.itemId, e.labelId, e.patch, e.by)
  else removeLabel(doc, e.itemId, e.labelId)
}

/** A cached cell as the edits made on it so far show it. */
const overlayOne = (cell: Cell, e: EarlyEdit): Cell => {
  if (e.kind === 'setTags') {
    if (!e.ids.includes(cell.id)) return cell
    const tags = new Set(cell.tags)
    if (e.on) tags.add(e.tag)
    else tags.delete(e.tag)
    return { ...cell, tags: [...tags].sort() }
  }
  if (e.itemId !== cell.id) return cell
  if (e.kind === 'addLabel') return { ...cell, labels: [...cell.labels, { id: e.id, classId: e.classId, bbox: e.bbox, by: e.by, at: Date.now() }] }
  if (e.kind === 'updateLabel') return { ...cell, labels: cell.labels.map((l) => (l.id === e.labelId ? { ...l, ...e.patch } : l)) }
  return { ...cell, labels: cell.labels.filter((l) => l.id !== e.labelId) }
}

/**
 * Edits accepted from the first paint: made on the grid cache while the document loads,
 * each one stored on this device before it is acknowledged, shown at once over the cached
 * cells, and applied to the document, in order, as soon as it has loaded (also when the tab
 * that made them closed first: the next open applies them).
 */
export class EarlyEdits {
  #made: EarlyEdit[] = []

  constructor(
    readonly projectId: string,
    readonly changed: () => void,
  ) {}

  /** Checks what can be checked without the document, keeps the edit, shows it. */
  async keep(edit: EarlyEdit, cell: Cell | undefined): Promise<void> {
    if (edit.kind === 'setTags') requireTag(edit.tag)
    if (edit.kind === 'addLabel' && cell) requireBBox(edit.bbox, cell)
    if (edit.kind === 'updateLabel' && cell && edit.patch.bbox) requireBBox(edit.patch.bbox, cell)
    await keepEarlyEdit(this.projectId, edit)
    this.#made.push(edit)
    this.changed()
  }

  /** The cell with this session's early edits on it. */
  overlay(cell: Cell): Cell {
    return this.#made.reduce(overlayOne, cell)
  }

  /** Applies every kept edit to the loaded document, oldest first; answers why any could not be. */
  async applyTo(doc: Y.Doc): Promise<string[]> {
    const kept = await readEarlyEdits<EarlyEdit>(this.projectId)
    const failed: string[] = []
    for (const { edit } of kept) {
      try {
        doc.transact(() => applyOne(doc, edit), LOCAL)
      } catch (e) {
        failed.push(e instanceof Error ? e.message : String(e))
      }
    }
    await dropEarlyEdits(kept.map((k) => k.key))
    this.#made = []
    return failed
  }
}
