/**
 * The wire contract shared by the sync server, the app and the CLI: roles, websocket message
 * types, close codes and the reasons that go with them, and the REST bodies. Close codes
 * 4400–4499 mean "do not retry as is" (the stock y-websocket client stops reconnecting);
 * 4500–4599 mean "try again later".
 */

/** The role a token grants on one project. */
export type Role = 'owner' | 'editor' | 'viewer'

/** Roles, most powerful first. */
export const ROLES: readonly Role[] = ['owner', 'editor', 'viewer']

/** Whether a value is one of the roles (for JSON from the server or a file). */
export const isRole = (value: unknown): value is Role => ROLES.some((r) => r === value)

/** y-websocket's message types: the first varuint of every frame. */
export const Message = {
  SYNC: 0,
  AWARENESS: 1,
  /** y-protocols' auth message; Strata sends only "permission denied" (`PERMISSION_DENIED`), to a viewer that edits. */
  AUTH: 2,
  QUERY_AWARENESS: 3,
} as const

/** The first varuint after `Message.AUTH` when the server refuses what a connection sent; a reason follows. */
export const PERMISSION_DENIED = 0

/** Every close code the server sends. */
export const Close = {
  /** Server shutting down (a standard code): reconnect. */
  GOING_AWAY: 1001,
  /** A frame over the connection's hard size wall, closed by the websocket library itself (a standard code). */
  MESSAGE_TOO_BIG: 1009,
  /** A malformed, truncated or invalid message or record. */
  BAD_MESSAGE: 4400,
  /** Missing, unknown or revoked token. */
  UNAUTHORISED: 4401,
  /** The token is not for this project. */
  FORBIDDEN: 4403,
  /** No such project. */
  NO_PROJECT: 4404,
  /** A message over the connection's size cap, or presence claiming too much. */
  TOO_LARGE: 4413,
  /** Too many messages, or too many connections for one token or address: come back later. */
  RATE_LIMITED: 4429,
  /** Storage failed; what the client sent stays on its device. Retried. */
  STORAGE_ERROR: 4500,
  /** The client does not read what the server sends it fast enough. Retried. */
  SLOW_READER: 4508,
} as const

/** What a client reports for a socket that never opened or dropped without a close frame (a standard code no server sends). */
export const ABNORMAL_CLOSURE = 1006

/** Whether a close code means the stock client stops retrying (RFC 6455 private range, 4xx). */
export const isRefusal = (code: number): boolean => code >= 4400 && code <= 4499

/** Fixed reasons the app and CLI may match on; other reasons are free text for people. */
export const Reason = {
  UNAUTHORISED: 'unauthorised: missing, unknown or revoked token',
  REVOKED: 'unauthorised: token revoked',
  FORBIDDEN: 'forbidden: this token is not for this project',
  NO_PROJECT: 'no such project',
  INVALID_PROJECT_ID: 'invalid project id',
  READ_ONLY: 'read-only: this token is a viewer, edits are not saved',
  SHUTDOWN: 'server shutting down',
} as const

/** The body of every REST refusal: the server's words, ready to show to people. */
export interface ErrorBody {
  error: string
}

/** The reason in a refusal's body text: its `error` when the text is an ErrorBody, else null. */
export const errorOf = (text: string): string | null => {
  try {
    const body: unknown = JSON.parse(text)
    return body && typeof body === 'object' && 'error' in body && typeof body.error === 'string' ? body.error : null
  } catch {
    return null
  }
}

/** A project as the server stores it. */
export interface ProjectInfo {
  id: string
  name: string
  createdAt: number
}

/** `GET /api/projects`: the projects a token may open, with the role it grants on each (the admin's is owner). */
export interface ProjectList {
  projects: Array<ProjectInfo & { role: Role }>
}

/**
 * `POST /api/projects` (admin only) with `{ name, shards? }` answers the new project and its owner
 * token, shown this once; with `shards` (a power of two, 1 to 1024) the project is sharded.
 */
export type CreatedProject = ProjectInfo & { token: string; tokenId: string }

/** `POST /api/projects/:id/tokens` with `{ role }` answers the new token, shown this once. */
export interface CreatedToken {
  id: string
  projectId: string
  role: Role
  createdAt: number
  revoked: boolean
  token: string
}

/** `POST /api/projects/:id/blobs/missing` asks which of at most this many hashes the server lacks. */
export const MAX_MISSING_QUERY = 100_000

/** The body of `POST /api/projects/:id/blobs/missing`, and its answer. */
export interface MissingBlobsQuery {
  hashes: string[]
}
export interface MissingBlobs {
  missing: string[]
}

/** One of several versions a name matches, as the server's export refusal and the CLI list them. */
export interface VersionCandidate {
  id: string
  /** The author. */
  by: { name: string }
  at: number
}

/**
 * The refusal of a version name two or more versions share (two people offline may both
 * pick it): a first line, then one line per candidate with its id, author and time (UTC).
 */
export const ambiguousVersion = (name: string, candidates: readonly VersionCandidate[]): string =>
  [
    `${candidates.length} versions are named "${name}"; ask by id:`,
    ...candidates.map((c) => `  ${c.id}  by ${c.by.name || 'someone'}, ${new Date(c.at).toISOString()}`),
  ].join('\n')

export * from './muxWire.ts'
export * from './muxParts.ts'
