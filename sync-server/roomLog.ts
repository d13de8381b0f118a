import * as Y from 'yjs'
import type { PeerRow } from './fanout/types.ts'
import { LogCursor } from './logCursor.ts'
import type { RoomDeps } from './rooms.ts'
import type { Appended, LogRow } from './storage/types.ts'

/** The origin of updates and presence that came from other processes (never relayed back to them). */
export const FROM_PEERS = Symbol('from peers')

/**
 * What a room's document holds of its project's log: the rows it applied, from storage, from
 * its own connections, and in cluster mode from other processes' relays; a gap in the relays
 * is read from the log. The document only ever gets rows that are in the log, so whatever a
 * process later compacts or serves was logged first.
 */
export class RoomLog {
  private readonly cursor = new LogCursor()
  /** Rows the log held at the last append or load (compaction is due past a cap). */
  rows = 0

  constructor (private readonly id: string, private readonly doc: Y.Doc, private readonly deps: RoomDeps) {}

  /** Applies the whole log (a room's first load). */
  async load (origin: unknown): Promise<void> {
    const rows = await this.deps.storage.readLog(this.id)
    this.apply(rows, origin)
    this.rows = rows.length
  }

  /** Applies what the log holds past what the document has. */
  async readNew (): Promise<void> {
    this.apply(await this.deps.storage.readLog(this.id, this.cursor.seq), FROM_PEERS)
  }

  /** Notes a row this process appended (the caller applies it); answers whether rows before it are missing. */
  appended (row: Appended): boolean {
    this.rows = row.rows
    this.cursor.saw(row.seq, row.prev)
    return this.cursor.gap
  }

  /** Applies a row another process relayed; answers whether rows before it are still missing. */
  async fromPeer (row: PeerRow): Promise<boolean> {
    if (row.seq <= this.cursor.seq) return false
    if (row.update === null) {
      await this.readNew()
      return this.cursor.gap
    }
    this.applyRow({ seq: row.seq, data: row.update }, FROM_PEERS)
    this.cursor.saw(row.seq, row.prev)
    return this.cursor.gap
  }

  /** The highest seq every row up to which is applied, and whether a row past a gap is. */
  get position (): { seq: number, gap: boolean } {
    return { seq: this.cursor.seq, gap: this.cursor.gap }
  }

  private apply (rows: readonly LogRow[], origin: unknown): void {
    if (rows.length === 0) return
    this.doc.transact(() => { for (const row of rows) this.applyRow(row, origin) }, origin)
    this.cursor.readTo(rows.at(-1)?.seq ?? 0)
  }

  // A row Yjs cannot apply must not make the whole project unloadable: skip it, loudly.
  private applyRow (row: LogRow, origin: unknown): void {
    try {
      Y.applyUpdate(this.doc, row.data, origin)
    } catch (e) {
      this.deps.metrics.storageErrors++
      this.deps.log(`room ${this.id}: skipped log row ${row.seq}, it cannot be applied: ${(e as Error).message}`)
    }
  }
}
