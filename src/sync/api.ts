/** The sync server's REST API, as the browser calls it. Every call carries the project token. */

import { type CreatedProject, type CreatedToken, type ProjectInfo, type Role, errorOf, isRole } from '../wire.ts'

export type { Role } from '../wire.ts'

/** A project in the app's list: the server's name for it (its id when it has none) and the role the token grants. */
export type ProjectSummary = Pick<ProjectInfo, 'id' | 'name'> & { role: Role }

/** An HTTP error with the server's own words, ready to show to the user. */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

const headers = (token: string, extra: Record<string, string> = {}): Record<string, string> => ({ authorization: `Bearer ${token}`, ...extra })

const reasonOf = async (res: Response): Promise<string> => {
  const text = await res.text().catch(() => '')
  return errorOf(text) ?? (text || res.statusText || `HTTP ${res.status}`)
}

const call = async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers: headers(token, body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'The server cannot be reached; check your connection and try again')
  }
  if (!res.ok) throw new ApiError(res.status, await reasonOf(res))
  return (await res.json()) as T
}


/** The projects this token may open, with the role it grants on each. */
export const listProjects = async (token: string): Promise<ProjectSummary[]> => {
  const body = await call<unknown>(token, 'GET', '/api/projects')
  const rows = Array.isArray(body) ? body : body && typeof body === 'object' && 'projects' in body && Array.isArray(body.projects) ? body.projects : []
  return rows.flatMap((row: unknown) => {
    if (!row || typeof row !== 'object') return []
    const r = row as Record<string, unknown>
    if (typeof r.id !== 'string') return []
    return [{ id: r.id, name: typeof r.name === 'string' ? r.name : r.id, role: isRole(r.role) ? r.role : 'viewer' }]
  })
}

/** Creates a project on the server; answers its id and an owner token for it. */
export const createServerProject = (token: string, name: string): Promise<Pick<CreatedProject, 'id' | 'token'>> =>
  call<CreatedProject>(token, 'POST', '/api/projects', { name })

/** Makes a new token for a project with the given role (owner only). */
export const createInvite = (token: string, projectId: string, role: Role): Promise<Pick<CreatedToken, 'token'>> =>
  call<CreatedToken>(token, 'POST', `/api/projects/${encodeURIComponent(projectId)}/tokens`, { role })

const blobPath = (projectId: string, sha: string): string => `/api/projects/${encodeURIComponent(projectId)}/blobs/${sha}`

/** Downloads a blob; null when the server does not have it. */
export const downloadBlob = async (token: string, projectId: string, sha: string): Promise<Blob | null> => {
  const res = await fetch(blobPath(projectId, sha), { headers: headers(token) })
  if (res.status === 404) return null
  if (!res.ok) throw new ApiError(res.status, await reasonOf(res))
  return res.blob()
}

/** Uploads a blob; the server checks the hash. */
export const uploadBlob = async (token: string, projectId: string, sha: string, blob: Blob): Promise<void> => {
  const res = await fetch(blobPath(projectId, sha), { method: 'PUT', headers: headers(token, { 'content-type': blob.type || 'application/octet-stream' }), body: blob })
  if (!res.ok) throw new ApiError(res.status, await reasonOf(res))
}
