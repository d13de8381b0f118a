import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Role } from '../src/wire.ts'
import type { Storage, TokenRow } from './storage/types.ts'

/** Who is asking: the administrator, or the holder of one project token. */
export type Principal =
  | { kind: 'admin' }
  | { kind: 'project', projectId: string, role: Role, tokenId: string }

/** What a request wants to do on a project. */
export type Action = 'read' | 'write' | 'manage'

const RANK: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 }
const NEEDS: Record<Action, number> = { read: 0, write: 1, manage: 2 }

/** Project ids are what the server generates (UUIDs) or short slugs: never a path (defined with the wire's room names). */
export { PROJECT_ID } from '../src/wire.ts'

/** sha256 hex of a token: tokens are 256-bit random, so a fast hash is enough. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

/** A fresh secret token. */
const newToken = (): string => `st_${randomBytes(32).toString('base64url')}`

/** Issues a token with `role` on `projectId`, stores only its hash, and returns the secret once. */
export const issueToken = async (storage: Storage, projectId: string, role: Role): Promise<{ token: string, row: TokenRow }> => {
  const token = newToken()
  const row: TokenRow = { id: randomUUID(), projectId, role, createdAt: Date.now(), revoked: false }
  await storage.createToken(row, hashToken(token))
  return { token, row }
}

/** The admin token: from the environment, else the one stored in the data folder, else a new one. */
export const loadAdminToken = (dataDir: string, fromEnv: string | undefined): { token: string, created: boolean } => {
  if (fromEnv !== undefined) return { token: fromEnv, created: false }
  const file = path.join(dataDir, 'admin-token')
  if (fs.existsSync(file)) return { token: fs.readFileSync(file, 'utf8').trim(), created: false }
  const token = newToken()
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 })
  return { token, created: true }
}

/** Resolves a presented token to a principal; null for a missing, unknown or revoked token. */
export const authenticate = async (storage: Storage, adminHash: string, token: string | null): Promise<Principal | null> => {
  if (token === null || token === '' || token.length > 200) return null
  const hash = hashToken(token)
  if (timingSafeEqual(Buffer.from(hash, 'hex'), Buffer.from(adminHash, 'hex'))) return { kind: 'admin' }
  const row = await storage.findToken(hash)
  if (row === undefined || row.revoked) return null
  return { kind: 'project', projectId: row.projectId, role: row.role, tokenId: row.id }
}

/** Whether `who` may do `action` on `projectId`. */
export const allowed = (who: Principal, projectId: string, action: Action): boolean =>
  who.kind === 'admin' || (who.projectId === projectId && RANK[who.role] >= NEEDS[action])

/** The token in an `Authorization: Bearer …` header, or null. */
export const bearer = (header: string | undefined): string | null => {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '')
  return m?.[1] ?? null
}
