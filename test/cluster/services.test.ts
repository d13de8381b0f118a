import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnClusterServer, startServices, type Services } from './services.ts'

// Real PostgreSQL and Redis, as the cluster tests use them. The machine is a shared 2-core
// box: timeouts are generous and nothing is timed.
const SLOW = 180_000

const query = async (url: string, sql: string, values: unknown[] = []): Promise<unknown[]> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql, values)).rows
  } finally {
    await client.end()
  }
}

const withRedis = async <T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> => {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 })
  try {
    return await use(redis)
  } finally {
    redis.disconnect()
  }
}

let services: Services
beforeAll(async () => {
  services = await startServices()
}, SLOW)
afterAll(async () => {
  await services?.stop()
}, SLOW)

describe('PostgreSQL', () => {
  it('answers a query as the strata role on the strata database', async () => {
    expect(await query(services.databaseUrl, 'SELECT current_user AS role, current_database() AS db')).toEqual([{ role: 'strata', db: 'strata' }])
  }, SLOW)

  it('refuses a wrong password', async () => {
    const wrong = new URL(services.databaseUrl)
    wrong.password = 'not-the-password'
    await expect(query(wrong.href, 'SELECT 1')).rejects.toThrow(/password authentication failed/)
  }, SLOW)

  it('keeps a committed row across a clean stop and a start of the same folder', async () => {
    await query(services.databaseUrl, 'CREATE TABLE kept (note text)')
    await query(services.databaseUrl, 'INSERT INTO kept VALUES ($1)', ['before the stop'])
    await services.restartPostgres('stop')
    expect(await query(services.databaseUrl, 'SELECT note FROM kept')).toEqual([{ note: 'before the stop' }])
  }, SLOW)

  it('keeps a committed row across kill -9 and a start', async () => {
    await query(services.databaseUrl, 'INSERT INTO kept VALUES ($1)', ['before the crash'])
    await services.restartPostgres('kill')
    expect(await query(services.databaseUrl, 'SELECT note FROM kept ORDER BY note')).toEqual([{ note: 'before the crash' }, { note: 'before the stop' }])
  }, SLOW)
})

describe('Redis', () => {
  it('answers PING, and after kill -9 and a start on the same port answers again, empty', async () => {
    await withRedis(services.redisUrl, async (redis) => {
      expect(await redis.ping()).toBe('PONG')
      await redis.set('relayed', 'once')
    })
    await services.restartRedis('kill')
    await withRedis(services.redisUrl, async (redis) => {
      expect(await redis.ping()).toBe('PONG')
      expect(await redis.dbsize()).toBe(0)
    })
  }, SLOW)
})

describe('a cluster server process', () => {
  it('starts with the cluster URLs, answers, and exits on SIGTERM', async () => {
    const server = await spawnClusterServer({ databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, adminToken: 'admin-secret' })
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    } finally {
      await server.stop()
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
  }, SLOW)
})
