import type { ItemId } from '../domain/index.ts'
import type { Cell } from '../engine/protocol.ts'

/** What `admit` shows now, and whether cells of the message are still waiting for a later frame. */
export interface Admitted {
  shown: Map<ItemId, Cell>
  waiting: boolean
}

/**
 * The cells to show after a message from the engine, keyed by item. The engine sends the whole
 * screen whenever any cell of it changed (a loading piece, a collaborator's edit, a scroll):
 * a cell whose content did not change keeps its object, so it is not rendered again, and at
 * most `limit` new or changed cells are taken per call, those for which `first` is true
 * (the ones in view) before the rest, so one frame never mounts a whole screen of cells.
 */
export const admit = (shown: ReadonlyMap<ItemId, Cell>, incoming: readonly Cell[], limit: number, first: (id: ItemId) => boolean = () => true): Admitted => {
  const next = new Map<ItemId, Cell>()
  const fresh: Cell[] = []
  for (const cell of incoming) {
    const old = shown.get(cell.id)
    if (old !== undefined && sameCell(old, cell)) next.set(cell.id, old)
    else fresh.push(cell)
  }
  const taken = [...fresh.filter((c) => first(c.id)), ...fresh.filter((c) => !first(c.id))].slice(0, limit)
  for (const cell of taken) next.set(cell.id, cell)
  // A changed cell not taken yet keeps showing its last value rather than a blank.
  for (const cell of fresh) {
    const old = shown.get(cell.id)
    if (!next.has(cell.id) && old !== undefined) next.set(cell.id, old)
  }
  return { shown: next, waiting: taken.length < fresh.length }
}

// Cells are small plain values (a name, a few labels and tags): their text compares them.
const sameCell = (a: Cell, b: Cell): boolean => JSON.stringify(a) === JSON.stringify(b)
