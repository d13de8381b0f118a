import { type CreatedProject, type MissingBlobs, type MissingBlobsQuery, errorOf } from '../wire.ts'
import { CliError } from './errors.ts'

/** Where the server is and who is asking. */
export interface Target {
  server: string
  token: string
  project: string
}

const reasonOf = async (res: Response): Promise<string> => {
  const text = await res.text().catch(() => '')
  return errorOf(text) ?? (text || res.statusText)
}

/** One REST call; a refusal or an unreachable server becomes a CliError with the server's words. */
export const call = async (t: Pick<Target, 'server' | 'token'>, method: string, path: string, body?: BodyInit, type = 'application/json'): Promise<Response> => {
  let res: Response
  try {
    res = await fetch(new URL(path, t.server), { method, body, headers: { authorization: `Bearer ${t.token}`, ...(body === undefined ? {} : { 'content-type': type }) } })
  } catch (e) {
    throw new CliError(`cannot reach the server at ${t.server}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`)
  }
  if (!res.ok && res.status !== 404) throw new CliError(`${method} ${path}: ${res.status} ${await reasonOf(res)}`)
  return res
}

const project = (t: Target): string => `/api/projects/${encodeURIComponent(t.project)}`

/** Creates a project (admin token); answers its id and owner token. */
export const createProject = async (t: Pick<Target, 'server' | 'token'>, name: string): Promise<CreatedProject> => {
  const res = await call(t, 'POST', '/api/projects', JSON.stringify({ name }))
  if (res.status === 404) throw new CliError(`POST /api/projects: 404 ${await reasonOf(res)}`)
  return (await res.json()) as CreatedProject
}

/** Of these hashes, the ones the server does not hold for the project. */
export const missingBlobs = async (t: Target, hashes: string[]): Promise<Set<string>> => {
  const missing = new Set<string>()
  // The server reads at most 1 MiB of JSON: 10,000 hashes is about 670 KB.
  for (let i = 0; i < hashes.length; i += 10_000) {
    const res = await call(t, 'POST', `${project(t)}/blobs/missing`, JSON.stringify({ hashes: hashes.slice(i, i + 10_000) } satisfies MissingBlobsQuery))
    if (res.status === 404) throw new CliError(`no project ${t.project} on ${t.server}`)
    for (const h of ((await res.json()) as MissingBlobs).missing) missing.add(h)
  }
  return missing
}

/** Uploads one blob; the server checks its hash. */
export const putBlob = async (t: Target, sha256: string, bytes: Uint8Array<ArrayBuffer>): Promise<void> => {
  await call(t, 'PUT', `${project(t)}/blobs/${sha256}`, new Blob([bytes]), 'application/octet-stream')
}

/** Downloads one blob, or fails saying the server does not have it. */
export const getBlob = async (t: Target, sha256: string, what: string): Promise<Uint8Array> => {
  const res = await call(t, 'GET', `${project(t)}/blobs/${sha256}`)
  if (res.status === 404) throw new CliError(`the server does not have the file of ${what} (${sha256})`)
  return new Uint8Array(await res.arrayBuffer())
}
