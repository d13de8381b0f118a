import type { Role } from '../../src/wire.ts'

/** A project as the server knows it: the document itself lives in the update log. */
export interface ProjectRow {
  id: string
  name: string
  createdAt: number
}

/** A token as stored: only its sha256 hash, never the secret. */
export interface TokenRow {
  id: string
  projectId: string
  role: Role
  createdAt: number
  revoked: boolean
}

/** One row of a room's update log. */
export interface LogRow {
  /**
   * Increases with every append to the room, in the order appends commit, so the rows after
   * a seq are exactly what a reader that has everything up to it lacks. Seqs are not dense.
   */
  seq: number
  data: Uint8Array
}

/** What an append answers. */
export interface Appended {
  seq: number
  /** The room's highest seq before this append (0 for the first): the link a reader checks for gaps. */
  prev: number
  /** Rows the room's log holds now. */
  rows: number
}

/**
 * Everything the server persists besides blobs, narrow and async so that backends with other
 * engines fit (SQLite for one process, PostgreSQL for several).
 *
 * The log's ordering contract, which several processes rely on to catch up: appends to one
 * room are serialised, so `seq` order is commit order, and a reader that has every row up to
 * `seq` S lacks exactly the rows `readLog(room, S)` answers. Compaction keeps that true: the
 * merged row takes the highest seq it replaces, so a reader between the first and last merged
 * seq gets the merged row again (applying an update twice is harmless).
 */
export interface Storage {
  /** The room's update log after `after` (0: all of it), oldest first; empty for a project nobody edited. */
  readLog(room: string, after?: number): Promise<LogRow[]>
  /** Appends one update durably. */
  appendUpdate(room: string, update: Uint8Array): Promise<Appended>
  /**
   * Replaces rows of the room's log by one merged update, without garbage collection; only
   * rows from the log are merged, never a process's memory. Answers false when another
   * process is compacting the room right now (nothing was done).
   */
  compact(room: string): Promise<boolean>
  createProject(project: ProjectRow): Promise<void>
  getProject(id: string): Promise<ProjectRow | undefined>
  listProjects(): Promise<ProjectRow[]>
  createToken(token: TokenRow, hash: string): Promise<void>
  findToken(hash: string): Promise<TokenRow | undefined>
  listTokens(projectId: string): Promise<TokenRow[]>
  /** Answers false when the project has no such token. */
  revokeToken(projectId: string, tokenId: string): Promise<boolean>
  close(): Promise<void>
}
