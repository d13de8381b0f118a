import { randomUUID } from 'node:crypto'
import * as Y from 'yjs'
import { ValidationError, createProject } from '../src/domain/index.ts'
import { createShardedProject, isShardCount } from '../src/domain/sharded/index.ts'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream'
import { PROJECT_ID, allowed, authenticate, bearer, issueToken, type Action, type Principal } from './auth.ts'
import { BLOB_HASH, type BlobStore } from './blobs/types.ts'
import { exportProject } from './export.ts'
import { streamYoloZip } from './yoloZip.ts'
import { StorageFault, namingFaults } from './faults.ts'
import { renderMetrics } from './metrics.ts'
import type { Rooms } from './registry.ts'
import type { RoomDeps } from './rooms.ts'
import { decodePath, serveStatic } from './static.ts'
import { type CreatedProject, type CreatedToken, type ErrorBody, MAX_MISSING_QUERY, type MissingBlobs, type ProjectList, ROLES, type Role, shardRoom } from '../src/wire.ts'

/** What the REST handlers need. */
export interface HttpDeps extends RoomDeps { rooms: Rooms, blobs: BlobStore, adminHash: string, connections: () => number }

/** A refusal a handler throws; answered as `{ error }` JSON with the status. */
class HttpError extends Error {
  constructor (readonly status: number, message: string) { super(message) }
}

const MAX_JSON_BYTES = 1024 * 1024

/** Answers every plain HTTP request: health, metrics, the REST API, then the app's files. */
export const handleHttp = (deps: HttpDeps): ((req: IncomingMessage, res: ServerResponse) => void) => {
  // Storage seen through namingFaults, so that a failure there is told apart from a bug.
  const io: HttpDeps = { ...deps, storage: namingFaults(deps.storage), blobs: namingFaults(deps.blobs), rooms: namingFaults(deps.rooms) }
  return (req, res) => {
    route(io, req, res).catch((e: unknown) => answerFailure(deps, req, res, e))
  }
}

// Only a StorageFault counts as a storage error; anything else unexpected is a bug, counted apart.
const answerFailure = (deps: HttpDeps, req: IncomingMessage, res: ServerResponse, e: unknown): void => {
  if (e instanceof HttpError) return reply(res, e.status, e.message)
  // A client that went away mid-body made the read fail: nobody is left to answer, nothing broke.
  if (!req.complete && req.destroyed) return void res.destroy()
  const where = `${req.method ?? '?'} ${(req.url ?? '/').split('?')[0] ?? ''}`
  if (e instanceof StorageFault) {
    deps.metrics.storageErrors++
    deps.log(`${where}: storage error: ${e.message}`)
    return reply(res, 500, 'storage error, try again later')
  }
  deps.metrics.internalErrors++
  deps.log(`${where}: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`)
  reply(res, 500, 'server error')
}

const reply = (res: ServerResponse, status: number, error: string): void => {
  if (res.headersSent) return void res.destroy()
  json(res, status, { error } satisfies ErrorBody)
}

// Queries are read with the WHATWG parser; a target it refuses (`//[`, `http://[`) is the client's fault.
const parseTarget = (raw: string): URL | null => {
  try {
    return new URL(raw, 'http://localhost')
  } catch {
    return null
  }
}

const route = async (deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const method = req.method ?? 'GET'
  const target = parseTarget(req.url ?? '/')
  if (target === null) throw new HttpError(400, 'malformed request target')
  // The raw path is matched, neither normalised nor decoded: `..`, `%2e%2e` or NUL fail the patterns.
  const pathname = (req.url ?? '/').split('?')[0] ?? '/'
  const parts = pathname.split('/').slice(1)
  if (pathname === '/healthz') return json(res, 200, { ok: true })
  if (pathname === '/metrics') {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' })
    return void res.end(renderMetrics(deps.metrics, { roomsLoaded: deps.rooms.size, connections: deps.connections() }))
  }
  if (parts[0] !== 'api') {
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed')
    const decoded = decodePath(target.pathname)
    if (decoded === null) throw new HttpError(400, 'malformed percent-encoding in the path')
    return serveStatic(deps.config.staticDir, decoded, req, res)
  }
  const who = await authenticate(deps.storage, deps.adminHash, bearer(req.headers.authorization))
  if (who === null) throw new HttpError(401, 'missing, unknown or revoked token')
  if (parts[1] !== 'projects' || parts.length > 5) throw new HttpError(404, 'not found')
  if (parts.length === 2) return projects(deps, who, method, req, res)
  const projectId = parts[2] ?? ''
  if (!PROJECT_ID.test(projectId)) throw new HttpError(400, 'invalid project id')
  const sub = parts[3]
  if (sub === undefined) return project(deps, who, projectId, method, res)
  if (sub === 'tokens') return tokens(deps, who, projectId, parts[4], method, req, res)
  if (sub === 'blobs') return blobs(deps, who, projectId, parts[4], method, req, res)
  if (sub === 'export' && parts.length === 4) return exportRoute(deps, who, projectId, method, target.searchParams, res)
  throw new HttpError(404, 'not found')
}

/** Runs a domain write on a request's input; a record the domain refuses is the client's 400, in the domain's words. */
const refusingInvalid = <T>(write: () => T): T => {
  try {
    return write()
  } catch (e) {
    if (e instanceof ValidationError) throw new HttpError(400, e.message)
    throw e
  }
}

/**
 * The first update of each room of a new project: one schema-1 document, or with `shards` (a
 * power of two, 1 to 1024) a sharded root and its shards, each shard's meta naming its place.
 */
const seedDocuments = (projectId: string, name: string, shards: unknown): Array<[room: string, update: Uint8Array]> => {
  if (shards === undefined) return [[projectId, Y.encodeStateAsUpdate(createProject({ name }))]]
  if (!isShardCount(shards)) throw new HttpError(400, 'shards must be a power of two from 1 to 1024')
  const made = createShardedProject({ name }, shards)
  return [[projectId, Y.encodeStateAsUpdate(made.root)], ...made.shards.map((doc, i): [string, Uint8Array] => [shardRoom(projectId, i), Y.encodeStateAsUpdate(doc)])]
}

const projects = async (deps: HttpDeps, who: Principal, method: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  if (method === 'GET') {
    const all = await deps.storage.listProjects()
    const visible = all.flatMap((p) => {
      if (who.kind === 'admin') return [{ ...p, role: 'owner' as Role }]
      return who.projectId === p.id ? [{ ...p, role: who.role }] : []
    })
    return json(res, 200, { projects: visible } satisfies ProjectList)
  }
  if (method !== 'POST') throw new HttpError(405, 'method not allowed')
  if (who.kind !== 'admin') throw new HttpError(403, 'only the admin token creates projects')
  const body = await readJson(req)
  const name = typeof body.name === 'string' ? body.name.trim() : ''
  const row = { id: randomUUID(), name, createdAt: Date.now() }
  // The documents start with their schema and name, so every client shows the same name; the
  // domain checks the name as it checks any project's ("Project name must not be empty").
  for (const [room, update] of refusingInvalid(() => seedDocuments(row.id, name, body.shards))) await deps.storage.appendUpdate(room, update)
  await deps.storage.createProject(row)
  const { token, row: tokenRow } = await issueToken(deps.storage, row.id, 'owner')
  json(res, 201, { ...row, token, tokenId: tokenRow.id } satisfies CreatedProject)
}

const project = async (deps: HttpDeps, who: Principal, projectId: string, method: string, res: ServerResponse): Promise<void> => {
  if (method !== 'GET') throw new HttpError(405, 'method not allowed')
  const row = await authorise(deps, who, projectId, 'read')
  json(res, 200, { ...row, role: who.kind === 'admin' ? 'owner' : who.role })
}

const tokens = async (
  deps: HttpDeps, who: Principal, projectId: string, tokenId: string | undefined,
  method: string, req: IncomingMessage, res: ServerResponse,
): Promise<void> => {
  await authorise(deps, who, projectId, 'manage')
  if (tokenId === undefined && method === 'GET') return json(res, 200, { tokens: await deps.storage.listTokens(projectId) })
  if (tokenId === undefined && method === 'POST') {
    const body = await readJson(req)
    const role = ROLES.find((r) => r === body.role)
    if (role === undefined) throw new HttpError(400, `role must be one of ${ROLES.join(', ')}`)
    const { token, row } = await issueToken(deps.storage, projectId, role)
    return json(res, 201, { ...row, token } satisfies CreatedToken)
  }
  if (tokenId !== undefined && method === 'DELETE') {
    if (!(await deps.storage.revokeToken(projectId, tokenId))) throw new HttpError(404, 'no such token')
    await deps.rooms.revoke(projectId, tokenId)
    res.writeHead(204)
    return void res.end()
  }
  throw new HttpError(405, 'method not allowed')
}

const blobs = async (
  deps: HttpDeps, who: Principal, projectId: string, hash: string | undefined,
  method: string, req: IncomingMessage, res: ServerResponse,
): Promise<void> => {
  if (hash === 'missing' && method === 'POST') {
    await authorise(deps, who, projectId, 'read')
    const body = await readJson(req)
    const hashes = body.hashes
    if (!Array.isArray(hashes) || hashes.length > MAX_MISSING_QUERY || !hashes.every((h) => typeof h === 'string' && BLOB_HASH.test(h))) {
      throw new HttpError(400, `hashes must be a list of at most ${MAX_MISSING_QUERY} sha256 hex strings`)
    }
    return json(res, 200, { missing: await deps.blobs.missing(projectId, hashes as string[]) } satisfies MissingBlobs)
  }
  if (hash === undefined || !BLOB_HASH.test(hash)) throw new HttpError(400, 'invalid blob hash: expected 64 lower-case hex digits')
  if (method === 'PUT') return putBlob(deps, who, projectId, hash, req, res)
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed')
  await authorise(deps, who, projectId, 'read')
  const size = await deps.blobs.size(projectId, hash)
  if (size === null) throw new HttpError(404, 'no such blob')
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': size,
    // The name is the content's hash, so it never changes; private because it needs a token.
    'Cache-Control': 'private, max-age=31536000, immutable',
    ETag: `"${hash}"`,
  })
  if (method === 'HEAD') return void res.end()
  pipeline(await deps.blobs.read(projectId, hash), res, () => undefined)
}

const putBlob = async (deps: HttpDeps, who: Principal, projectId: string, hash: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  await authorise(deps, who, projectId, 'write')
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > deps.config.maxBlobBytes) throw new HttpError(413, `blob over ${deps.config.maxBlobBytes} bytes`)
  if (await deps.blobs.size(projectId, hash) !== null) {
    req.resume()
    return json(res, 200, { sha256: hash, stored: false })
  }
  const refusal = await deps.blobs.write(projectId, hash, req, deps.config.maxBlobBytes)
  if (refusal !== null) throw new HttpError(refusal.status, refusal.reason)
  json(res, 201, { sha256: hash, stored: true })
}

const exportRoute = async (deps: HttpDeps, who: Principal, projectId: string, method: string, query: URLSearchParams, res: ServerResponse): Promise<void> => {
  if (method !== 'GET') throw new HttpError(405, 'method not allowed')
  await authorise(deps, who, projectId, 'read')
  const answer = await exportProject(deps.rooms, projectId, query)
  if (answer.status !== 200) throw new HttpError(answer.status, answer.error)
  if ('yolo' in answer) return streamYoloZip(res, answer.yolo, answer.images, deps.blobs, projectId, answer.filename)
  const text = JSON.stringify(answer.body)
  res.writeHead(200, {
    'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store',
    'Content-Disposition': `attachment; filename="${answer.filename}"`,
  })
  res.end(text)
}

const authorise = async (deps: HttpDeps, who: Principal, projectId: string, action: Action) => {
  if (!allowed(who, projectId, action)) {
    throw new HttpError(403, who.kind === 'project' && who.projectId === projectId ? `this token may not ${action}` : 'this token is not for this project')
  }
  const row = await deps.storage.getProject(projectId)
  if (row === undefined) throw new HttpError(404, 'no such project')
  return row
}

const readJson = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_JSON_BYTES) throw new HttpError(413, 'request body too large')
    chunks.push(chunk)
  }
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'the body is not JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object')
  return body as Record<string, unknown>
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' })
  res.end(text)
}
