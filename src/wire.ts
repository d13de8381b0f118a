/**
 * The wire contract shared by the sync server, the app and the CLI: roles, websocket close
 * codes and the reasons that go with them. Close codes 4400–4499 mean "do not retry as is"
 * (the stock y-websocket client stops reconnecting); 4500–4599 mean "try again later".
 */

/** The role a token grants on one project. */
export type Role = 'owner' | 'editor' | 'viewer'

/** Roles, most powerful first. */
export const ROLES: readonly Role[] = ['owner', 'editor', 'viewer']

/** Whether a value is one of the roles (for JSON from the server or a file). */
export const isRole = (value: unknown): value is Role => ROLES.some((r) => r === value)

/** Every close code the server sends. */
export const Close = {
  /** Server shutting down (a standard code): reconnect. */
  GOING_AWAY: 1001,
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

/** One of the close codes above. */
export type CloseCode = (typeof Close)[keyof typeof Close]

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
