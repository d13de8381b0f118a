import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { assertHistoryKept } from '../src/domain/index.ts'
import { hashToken, loadAdminToken } from './auth.ts'
import { BlobStore } from './blobs.ts'
import type { Config } from './config.ts'
import { handleHttp } from './http.ts'
import { Metrics } from './metrics.ts'
import { Rooms } from './registry.ts'
import { newRoomDoc } from './rooms.ts'
import { openSqliteStorage } from './storage/sqlite.ts'
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

/** Starts the HTTP + websocket server; `storage` and `log` may be injected (tests, other backends). */
export const startServer = async (
  config: Config,
  hooks: { storage?: Storage, log?: (msg: string) => void } = {},
): Promise<StrataServer> => {
  // Fail fast, before any document is served, if this build would garbage-collect history.
  assertHistoryKept(newRoomDoc())
  fs.mkdirSync(config.dataDir, { recursive: true })
  const storage = hooks.storage ?? openSqliteStorage(path.join(config.dataDir, 'strata.sqlite'))
  const log = hooks.log ?? ((msg: string) => console.error(msg))
  const admin = loadAdminToken(config.dataDir, config.adminToken)
  const metrics = new Metrics()
  const base = { storage, config, metrics, log, adminHash: hashToken(admin.token) }
  const rooms = new Rooms(base)
  // Headers that never finish are cut off after a short wait (Node checks once per interval).
  const server = http.createServer({ headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: Math.max(100, Math.min(1000, config.headersTimeoutMs)) })
  const sync = attachSync(server, { ...base, rooms })
  server.on('request', handleHttp({ ...base, rooms, blobs: new BlobStore(config.dataDir), connections: sync.clients }))
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
      await storage.close()
    },
  }
}
