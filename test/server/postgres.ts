import pg from 'pg'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { startServices, type Services } from '../cluster/services.ts'

/** One real PostgreSQL for a test file, and a fresh database on it for each test that asks. */
export interface FreshDatabases {
  /** Starts PostgreSQL (and Redis, which these tests leave alone). */
  start(): Promise<void>
  /** A pool on a database no other test used. */
  pool(): Promise<pg.Pool>
  /** Ends the pools handed out so far (a backend's close leaves its pool to whoever opened it). */
  endPools(): Promise<void>
  stop(): Promise<void>
}

/** Fresh databases on one PostgreSQL, so that tests which name the same rooms and projects never meet. */
export const freshDatabases = (): FreshDatabases => {
  let services: Services | undefined
  let made = 0
  const pools: Array<{ name: string, pool: pg.Pool }> = []
  const url = (db: string): string => {
    if (services === undefined) throw new Error('PostgreSQL did not start')
    const u = new URL(services.databaseUrl)
    u.pathname = `/${db}`
    return u.href
  }
  const query = async <R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> => {
    const admin = new pg.Client({ connectionString: url('strata') })
    await admin.connect()
    try {
      return (await admin.query<R>(sql, values)).rows
    } finally {
      await admin.end()
    }
  }
  // A pool's end resolves before its connections are closed: one still open when PostgreSQL stops would throw.
  const gone = async (databases: string[]): Promise<void> => {
    const sql = 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ANY($1)'
    while ((await query<{ n: number }>(sql, [databases]))[0]?.n !== 0) await new Promise((r) => setTimeout(r, 20))
  }
  return {
    start: async () => {
      services = await startServices()
    },
    pool: async () => {
      const name = `test_${++made}`
      await query(`CREATE DATABASE ${name}`)
      const pool = new pg.Pool({ connectionString: url(name), max: 4 })
      pools.push({ name, pool })
      return pool
    },
    endPools: async () => {
      const ending = pools.splice(0)
      await Promise.all(ending.map((p) => p.pool.end()))
      await gone(ending.map((p) => p.name))
    },
    stop: async () => {
      await services?.stop()
    },
  }
}

/** What a contract suite's backend sets up for its file, cleans up after each test, and tears down. */
export interface SuiteHooks {
  setUp?(): Promise<void>
  afterEach?(): Promise<void>
  tearDown?(): Promise<void>
}

/** The hooks of a backend on fresh databases. */
export const onFreshDatabases = (databases: FreshDatabases): SuiteHooks =>
  ({ setUp: databases.start, afterEach: databases.endPools, tearDown: databases.stop })

/** Registers a backend's hooks; call inside its `describe`. */
export const useHooks = (hooks: SuiteHooks): void => {
  if (hooks.setUp) beforeAll(hooks.setUp, 120_000)
  if (hooks.afterEach) afterEach(hooks.afterEach)
  if (hooks.tearDown) afterAll(hooks.tearDown, 120_000)
}
