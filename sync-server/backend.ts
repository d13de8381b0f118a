import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { FolderBlobs } from './blobs/files.ts'
import { openPostgresBlobs } from './blobs/postgres.ts'
import type { BlobStore } from './blobs/types.ts'
import type { Config } from './config.ts'
import { openRedisFanout } from './fanout/redis.ts'
import type { Fanout } from './fanout/types.ts'
import { openPostgresStorage, withClient } from './storage/postgres.ts'
import { openSqliteStorage } from './storage/sqlite.ts'
import type { Storage } from './storage/types.ts'

/** Where a server keeps everything, and how it hears of the other processes (cluster mode only). */
export interface Backend {
  storage: Storage
  blobs: BlobStore
  fanout?: Fanout
  /** Runs `fn` while no other process of the cluster runs one under the same name (a first start's seeding). */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * The embedded backend (SQLite and a blob folder under the data folder, one process), or, when
 * the config names PostgreSQL and Redis, the cluster backend that several processes share.
 */
export const openBackend = async (config: Config, hooks: { log(msg: string): void }): Promise<Backend> => {
  if (config.databaseUrl === undefined || config.redisUrl === undefined) {
    fs.mkdirSync(config.dataDir, { recursive: true })
    const storage = openSqliteStorage(path.join(config.dataDir, 'strata.sqlite'))
    return { storage, blobs: new FolderBlobs(config.dataDir), exclusive: (_name, fn) => fn(), close: () => storage.close() }
  }
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: 16,
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    // A process frozen or cut off while it holds a room's append lock must not stall the room
    // on every process: its transaction ends, and appends waiting on a lock give up (the client
    // is told 4500 and resends).
    options: '-c lock_timeout=10s -c idle_in_transaction_session_timeout=30s',
  })
  // An idle client's error (the database restarted) must not end the process; the next query reconnects.
  pool.on('error', (e) => hooks.log(`postgres: ${e.message}`))
  try {
    const storage = await openPostgresStorage(pool)
    const blobs = await openPostgresBlobs(pool)
    const fanout = await openRedisFanout(config.redisUrl, hooks)
    return {
      storage, blobs, fanout,
      exclusive: (name, fn) => withClient(pool, async (client) => {
        await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`strata:exclusive:${name}`])
        try {
          return await fn()
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`strata:exclusive:${name}`])
        }
      }),
      close: async () => {
        await fanout.close()
        await pool.end()
      },
    }
  } catch (e) {
    await pool.end().catch(() => undefined)
    throw e
  }
}
