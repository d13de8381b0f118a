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

/**
 * Everything the server persists besides blobs. Kept narrow and async so that another
 * backend (PostgreSQL, a shared log for several processes) can implement it.
 */
export interface Storage {
  /** The room's update log, oldest first; empty for a project nobody has edited yet. */
  loadRoom(room: string): Promise<Uint8Array[]>
  /** Appends one update durably; answers how many rows the room's log now holds. */
  appendUpdate(room: string, update: Uint8Array): Promise<number>
  /** Replaces the room's log by one merged update, without garbage collection. */
  compact(room: string): Promise<void>
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
