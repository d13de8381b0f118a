import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { readConfig, type Config } from '../../sync-server/config.ts'
import { startServer, type StrataServer } from '../../sync-server/server.ts'
import type { Storage } from '../../sync-server/storage/types.ts'
import { Close } from '../../src/wire.ts'

/** A fresh data folder under the OS temp dir. */
export const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'strata-server-'))

/** The config a test server runs with: any port, a temp folder, quick eviction. */
export const testConfig = (dataDir: string, overrides: Partial<Config> = {}): Config => ({
  ...readConfig({ PORT: '0', STRATA_DATA: dataDir, STRATA_ADMIN_TOKEN: 'admin-secret', STRATA_STATIC: path.join(dataDir, 'no-dist') }),
  ...overrides,
})

/** A server in this process, with its log captured instead of printed. */
export const startTestServer = async (
  dataDir = tempDir(), overrides: Partial<Config> = {}, storage?: Storage,
): Promise<StrataServer & { dataDir: string, logs: string[] }> => {
  const logs: string[] = []
  const server = await startServer(testConfig(dataDir, overrides), { storage, log: (m) => logs.push(m) })
  return Object.assign(server, { dataDir, logs })
}

/** Calls the REST API with a bearer token; answers status and parsed JSON (or null). */
export const api = async (base: string, method: string, route: string, token: string | null, body?: unknown) => {
  const res = await fetch(base + route, {
    method,
    headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let json: Record<string, unknown> | null = null
  try { json = JSON.parse(text) as Record<string, unknown> } catch { json = null }
  return { status: res.status, json, headers: res.headers }
}

/** Creates a project with the admin token; answers its id and owner token. */
export const createProject = async (base: string, name = 'Project'): Promise<{ id: string, token: string }> => {
  const res = await api(base, 'POST', '/api/projects', 'admin-secret', { name })
  if (res.status !== 201 || res.json === null) throw new Error(`create project: ${res.status}`)
  return { id: String(res.json.id), token: String(res.json.token) }
}

/** Issues a token with `role` using the owner token. */
export const issueToken = async (base: string, projectId: string, owner: string, role: string): Promise<{ id: string, token: string }> => {
  const res = await api(base, 'POST', `/api/projects/${projectId}/tokens`, owner, { role })
  if (res.status !== 201 || res.json === null) throw new Error(`issue token: ${res.status}`)
  return { id: String(res.json.id), token: String(res.json.token) }
}

/** A real y-websocket client in Node. */
export interface Client { doc: Y.Doc, provider: WebsocketProvider, closes: Array<{ code: number, reason: string }> }

/** Connects a stock WebsocketProvider; 4401/4403 closes end its retries, as the app does. */
export const connectClient = (base: string, projectId: string, token: string, doc = new Y.Doc({ gc: false })): Client => {
  const provider = new WebsocketProvider(`${base.replace(/^http/, 'ws')}/sync`, projectId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 300,
  })
  const closes: Client['closes'] = []
  provider.on('connection-close', (event) => {
    if (event === null) return
    closes.push({ code: event.code, reason: event.reason })
    if (event.code === Close.UNAUTHORISED || event.code === Close.FORBIDDEN) provider.disconnect()
  })
  return { doc, provider, closes }
}

/** Resolves once the provider has synced with the server. */
export const synced = (c: Client, timeoutMs = 10_000): Promise<void> => waitFor(() => c.provider.synced, timeoutMs, 'client sync')

/** Polls until `check` holds. */
export const waitFor = async (check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> => {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** JSON with object keys sorted, so replicas that merged in different orders compare equal. */
export const canonical = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
    : v)

/** A document's `items` map as canonical JSON, for comparing replicas. */
export const content = (doc: Y.Doc): string => canonical(doc.getMap('scratch').toJSON())

/** Whether every client holds exactly the same content. */
export const converged = (...clients: Client[]): boolean => clients.every((c) => content(c.doc) === content(clients[0]!.doc))

/** A raw websocket that records what the server sent and how it closed. */
export const rawSocket = async (base: string, route: string) => {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}${route}`)
  const received: Buffer[] = []
  const closed = new Promise<{ code: number, reason: string, before: number }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), before: received.length }))
  })
  ws.on('message', (data: Buffer) => received.push(data))
  ws.on('error', () => undefined)
  await new Promise<void>((resolve) => {
    ws.once('open', () => resolve())
    ws.once('close', () => resolve())
  })
  return { ws, received, closed }
}

/** A y-websocket sync frame: message type 0, sub-type, payload. */
export const syncFrame = (sub: number, payload: Uint8Array): Uint8Array => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  encoding.writeVarUint(e, sub)
  encoding.writeVarUint8Array(e, payload)
  return encoding.toUint8Array(e)
}

/** An update that sets `items[key] = value` on a fresh client. */
export const updateSetting = (key: string, value: unknown): Uint8Array => {
  const d = new Y.Doc({ gc: false })
  d.getMap('scratch').set(key, value)
  return Y.encodeStateAsUpdate(d)
}

/** A server in a child process (for kill -9), on `port` (0 = any). */
export const spawnServer = async (
  dataDir: string, port = 0, env: Record<string, string> = {},
): Promise<{ url: string, child: ChildProcess }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, PORT: String(port), STRATA_DATA: dataDir, STRATA_ADMIN_TOKEN: 'admin-secret', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /Strata listening on (http:\/\/\S+)/.exec(out)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)))
  })
  return { url, child }
}
