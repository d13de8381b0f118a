import path from 'node:path'

/** Everything the server reads from its environment, resolved once at start. */
export interface Config {
  port: number
  host: string
  dataDir: string
  adminToken: string | undefined
  /**
   * Largest websocket message accepted; bigger ones close the connection with Close.TOO_LARGE. Generous,
   * because y-websocket sends a client's whole first upload as one message (100k items ≈ 100 MB).
   */
  maxMessageBytes: number
  /** Largest message a viewer may send: viewers send only presence and sync step 1. */
  viewerMaxMessageBytes: number
  /** Largest awareness state of one client; presence is small, a bigger one is abuse. */
  maxAwarenessBytes: number
  /** Largest awareness message (it may relay everyone's presence in the room). */
  maxPresenceMessageBytes: number
  /** Presence ids one connection may originate (a tab has one). */
  maxPresenceIds: number
  /**
   * What may wait unsent for one connection besides the one full sync answer in flight;
   * past it the connection is a slow reader and is closed.
   */
  maxQueuedBytes: number
  /** Open websocket connections per token and per remote address. */
  maxConnectionsPerToken: number
  maxConnectionsPerAddress: number
  /** How long a request may take to send its headers. */
  headersTimeoutMs: number
  maxBlobBytes: number
  /** Messages per second a connection may sustain, and the burst it may spend at once. */
  ratePerSecond: number
  rateBurst: number
  /** Log rows per room before the room is compacted. */
  compactAfter: number
  /** How long a room without connections stays in memory. */
  idleRoomMs: number
  staticDir: string
  /** PostgreSQL for the log, tokens and blobs (cluster mode, with `redisUrl`); else the embedded SQLite. */
  databaseUrl: string | undefined
  /** Redis for the fan-out between processes (cluster mode, with `databaseUrl`). */
  redisUrl: string | undefined
  /** In cluster mode, how often each room reads the log for rows whose relay was lost (1 s while Redis is away). */
  catchUpMs: number
}

const int = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`)
  return n
}

/** Reads the configuration from environment variables, with `--flag=value` arguments taking precedence. */
export const readConfig = (env: NodeJS.ProcessEnv, argv: readonly string[] = []): Config => {
  const flags = new Map<string, string>()
  for (const arg of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(arg)
    if (m?.[1] !== undefined && m[2] !== undefined) flags.set(m[1], m[2])
  }
  const get = (flag: string, name: string): string | undefined => flags.get(flag) ?? env[name]
  return {
    port: int(get('port', 'PORT'), 8787, 'PORT'),
    host: get('host', 'HOST') ?? '127.0.0.1',
    dataDir: path.resolve(get('data', 'STRATA_DATA') ?? './data'),
    adminToken: env.STRATA_ADMIN_TOKEN === '' ? undefined : env.STRATA_ADMIN_TOKEN,
    maxMessageBytes: int(get('max-message-bytes', 'STRATA_MAX_MESSAGE_BYTES'), 256 * 1024 * 1024, 'STRATA_MAX_MESSAGE_BYTES'),
    viewerMaxMessageBytes: int(get('viewer-max-message-bytes', 'STRATA_VIEWER_MAX_MESSAGE_BYTES'), 1024 * 1024, 'STRATA_VIEWER_MAX_MESSAGE_BYTES'),
    maxAwarenessBytes: int(get('max-awareness-bytes', 'STRATA_MAX_AWARENESS_BYTES'), 16 * 1024, 'STRATA_MAX_AWARENESS_BYTES'),
    maxPresenceMessageBytes: int(get('max-presence-message-bytes', 'STRATA_MAX_PRESENCE_MESSAGE_BYTES'), 1024 * 1024, 'STRATA_MAX_PRESENCE_MESSAGE_BYTES'),
    maxPresenceIds: int(get('max-presence-ids', 'STRATA_MAX_PRESENCE_IDS'), 8, 'STRATA_MAX_PRESENCE_IDS'),
    maxQueuedBytes: int(get('max-queued-bytes', 'STRATA_MAX_QUEUED_BYTES'), 16 * 1024 * 1024, 'STRATA_MAX_QUEUED_BYTES'),
    maxConnectionsPerToken: int(get('max-connections-per-token', 'STRATA_MAX_CONNECTIONS_PER_TOKEN'), 256, 'STRATA_MAX_CONNECTIONS_PER_TOKEN'),
    maxConnectionsPerAddress: int(get('max-connections-per-address', 'STRATA_MAX_CONNECTIONS_PER_ADDRESS'), 512, 'STRATA_MAX_CONNECTIONS_PER_ADDRESS'),
    headersTimeoutMs: int(get('headers-timeout-ms', 'STRATA_HEADERS_TIMEOUT_MS'), 10_000, 'STRATA_HEADERS_TIMEOUT_MS'),
    maxBlobBytes: int(get('max-blob-bytes', 'STRATA_MAX_BLOB_BYTES'), 256 * 1024 * 1024, 'STRATA_MAX_BLOB_BYTES'),
    ratePerSecond: int(get('rate', 'STRATA_RATE'), 500, 'STRATA_RATE'),
    rateBurst: int(get('rate-burst', 'STRATA_RATE_BURST'), 5000, 'STRATA_RATE_BURST'),
    compactAfter: int(get('compact-after', 'STRATA_COMPACT_AFTER'), 1000, 'STRATA_COMPACT_AFTER'),
    idleRoomMs: int(get('idle-room-ms', 'STRATA_IDLE_ROOM_MS'), 60_000, 'STRATA_IDLE_ROOM_MS'),
    staticDir: path.resolve(get('static', 'STRATA_STATIC') ?? 'dist'),
    ...clusterUrls(get('database-url', 'STRATA_DATABASE_URL'), get('redis-url', 'STRATA_REDIS_URL'), env.STRATA_ADMIN_TOKEN),
    catchUpMs: Math.max(100, int(get('catch-up-ms', 'STRATA_CATCHUP_MS'), 10_000, 'STRATA_CATCHUP_MS')),
  }
}

// Both or neither: PostgreSQL without Redis would leave processes deaf to each other, and the reverse has no shared log.
const clusterUrls = (databaseUrl: string | undefined, redisUrl: string | undefined, adminToken: string | undefined): Pick<Config, 'databaseUrl' | 'redisUrl'> => {
  const db = databaseUrl === '' ? undefined : databaseUrl
  const redis = redisUrl === '' ? undefined : redisUrl
  if ((db === undefined) !== (redis === undefined)) {
    throw new Error('cluster mode needs both STRATA_DATABASE_URL (PostgreSQL) and STRATA_REDIS_URL (Redis); set both, or neither for the embedded SQLite')
  }
  if (db !== undefined && !/^postgres(ql)?:\/\//.test(db)) throw new Error('STRATA_DATABASE_URL must be a postgres:// URL')
  if (redis !== undefined && !/^rediss?:\/\//.test(redis)) throw new Error('STRATA_REDIS_URL must be a redis:// URL')
  // Each process would otherwise make its own admin token in its own data folder.
  if (db !== undefined && (adminToken === undefined || adminToken === '')) throw new Error('cluster mode needs STRATA_ADMIN_TOKEN, the same on every process (npm run cluster sets it)')
  return { databaseUrl: db, redisUrl: redis }
}
