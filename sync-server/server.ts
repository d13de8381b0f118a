import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { assertHistoryKept } from '../src/domain/index.ts'
import { hashToken, loadAdminToken } from './auth.ts'
import { type Backend, openBackend } from './backend.ts'
import { FolderBlobs } from './blobs/files.ts'
import type { Config } from './config.ts'
import { handleHttp } from './http.ts'
import { Metrics } from './metrics.ts'
import { Rooms } from './registry.ts'
import { newRoomDoc } from './rooms.ts'
import type { Storage } from './storage/types.ts'
import { attachSync } from './websocket.ts'
import { Close, Reason } from '../src/wire.ts'

/** A running server. */
export interface StrataServer {
  url: string
  adminToken: string
  /** True when this start generated the admin token (first start without STRATA_ADMIN_TOKEN). */
  adminTokenCreated: boolean
  metrics: Metrics
  rooms: Rooms
  /** Closes connections (Close.GOING_AWAY), compacts and evicts every room, closes storage. */
  close(): Promise<void>
}

/** What a caller may hand the server instead of what the config names (tests, the sample's seeding). */
export interface ServerHooks {
  /** A backend already open; the server closes it on close. */
  backend?: Backend
  /** Storage for the embedded mode (with a blob folder in the data folder). */
  storage?: Storage
  log?: (msg: string) => void
}

/** Starts the HTTP + websocket server on the backend the config names, or the one given. */
export const startServer = async (config: Config, hooks: ServerHooks = {}): Promise<StrataServer> => {
  // Fail fast, before any document is served, if this build would garbage-collect history.
  assertHistoryKept(newRoomDoc())
  const log = hooks.log ?? ((msg: string) => console.error(msg))
  fs.mkdirSync(config.dataDir, { recursive: true })
  const backend: Backend = hooks.backend ?? (hooks.storage !== undefined
    ? { storage: hooks.storage, blobs: new FolderBlobs(config.dataDir), exclusive: <T>(_name: string, fn: () => Promise<T>) => fn(), close: () => hooks.storage?.close() ?? Promise.resolve() }
    : await openBackend(config, { log }))
  const { storage, blobs, fanout } = backend
  const admin = loadAdminToken(config.dataDir, config.adminToken)
  const metrics = new Metrics()
  const base = { storage, fanout, config, metrics, log, adminHash: hashToken(admin.token) }
  const rooms = new Rooms(base)
  // Headers that never finish are cut off after a short wait (Node checks once per interval).
  const server = http.createServer({ headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: Math.max(100, Math.min(1000, config.headersTimeoutMs)) })
  const sync = attachSync(server, { ...base, rooms })
  server.on('request', handleHttp({ ...base, rooms, blobs, connections: sync.clients }))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, resolve)
  })
  const { port } = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return {
    url: `http://${host}:${port}`,
    adminToken: admin.token,
    adminTokenCreated: admin.created,
    metrics,
    rooms,
    close: async () => {
      server.close()
      await rooms.closeAll(Close.GOING_AWAY, Reason.SHUTDOWN)
      sync.close()
      server.closeAllConnections()
      await backend.close()
    },
  }
}
