import type { ItemId, ItemJson } from '../domain/index.ts'
import type { GridCache } from '../sync/gridCache.ts'
import type { Cell } from './protocol.ts'

/**
 * Cells of `ids` from a grid cache: read-only, labels numbered in place. Plain data in and out,
 * so that a tab can paint them before the engine answers (this module must not bring Yjs into
 * the page); `overlay` shows edits made on the cache that the document has not taken yet.
 */
export const cachedCells = (cache: GridCache | null, ids: readonly ItemId[], overlay: (cell: Cell) => Cell = (c) => c): Cell[] => {
  const byId = new Map((cache?.items ?? []).map((c) => [c.id, c]))
  return ids.flatMap((id) => {
    const c = byId.get(id)
    if (!c) return []
    const labels: ItemJson['labels'] = c.labels.map(([labelId, classId, x, y, w, h], i) => ({ id: labelId, classId, bbox: [x, y, w, h], by: { id: '', name: '' }, at: i }) as ItemJson['labels'][number])
    const cell = { id, name: c.name, blob: c.blob, mime: c.mime, width: c.width, height: c.height, addedAt: 0, addedBy: { id: '', name: '' }, tags: c.tags, labels, predicted: [] } as Cell
    return [overlay(cell)]
  })
}
