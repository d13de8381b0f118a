import path from 'node:path'

/** Everything the server reads from its environment, resolved once at start. */
export interface Config {
  port: number
  host: string
  dataDir: string
  adminToken: string | undefined
  /**
   * Largest websocket message accepted; bigger ones close the connection with 4413. Generous,
   * because y-websocket sends a client's whole first upload as one message (100k items ≈ 100 MB).
   */
  maxMessageBytes: number
  /** Largest awareness state of one client; presence is small, a bigger one is abuse. */
  maxAwarenessBytes: number
  maxBlobBytes: number
  /** Messages per second a connection may sustain, and the burst it may spend at once. */
  ratePerSecond: number
  rateBurst: number
  /** Log rows per room before the room is compacted. */
  compactAfter: number
  /** How long a room without connections stays in memory. */
  idleRoomMs: number
  staticDir: string
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
    maxAwarenessBytes: int(get('max-awareness-bytes', 'STRATA_MAX_AWARENESS_BYTES'), 16 * 1024, 'STRATA_MAX_AWARENESS_BYTES'),
    maxBlobBytes: int(get('max-blob-bytes', 'STRATA_MAX_BLOB_BYTES'), 256 * 1024 * 1024, 'STRATA_MAX_BLOB_BYTES'),
    ratePerSecond: int(get('rate', 'STRATA_RATE'), 500, 'STRATA_RATE'),
    rateBurst: int(get('rate-burst', 'STRATA_RATE_BURST'), 5000, 'STRATA_RATE_BURST'),
    compactAfter: int(get('compact-after', 'STRATA_COMPACT_AFTER'), 1000, 'STRATA_COMPACT_AFTER'),
    idleRoomMs: int(get('idle-room-ms', 'STRATA_IDLE_ROOM_MS'), 60_000, 'STRATA_IDLE_ROOM_MS'),
    staticDir: path.resolve(get('static', 'STRATA_STATIC') ?? 'dist'),
  }
}
