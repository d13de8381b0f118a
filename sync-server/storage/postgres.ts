import pg from 'pg'
import type { Role } from '../../src/wire.ts'
import { planCompaction } from './compaction.ts'
import type { Appended, LogRow, ProjectRow, Storage, TokenRow } from './types.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS projects (
  id text PRIMARY KEY, name text NOT NULL, created_at bigint NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
  id text PRIMARY KEY, hash text NOT NULL UNIQUE,
  project_id text NOT NULL REFERENCES projects(id),
  role text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  created_at bigint NOT NULL, revoked_at bigint);
CREATE TABLE IF NOT EXISTS updates (
  seq bigserial PRIMARY KEY, room text NOT NULL, data bytea NOT NULL);
CREATE INDEX IF NOT EXISTS updates_by_room ON updates (room, seq);
`

/** Advisory lock keys: one per room for appends, another per room for compaction. */
const appendKey = (room: string): string => `strata:append:${room}`
const compactKey = (room: string): string => `strata:compact:${room}`
const LOCK = 'hashtextextended($1, 0)'

interface TokenDbRow { id: string, project_id: string, role: Role, created_at: string, revoked_at: string | null }
interface ProjectDbRow { id: string, name: string, created_at: string }

const toToken = (r: TokenDbRow): TokenRow => ({
  id: r.id, projectId: r.project_id, role: r.role, createdAt: Number(r.created_at), revoked: r.revoked_at !== null,
})
const toProject = (r: ProjectDbRow): ProjectRow => ({ id: r.id, name: r.name, createdAt: Number(r.created_at) })
const bytesOf = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

/**
 * Runs `fn` on one pooled client. While a client is checked out the pool does not listen for
 * its errors, and an unheard 'error' (the database restarted, the connection was cut) would end
 * the process: it is heard here, fails what runs, and the client is discarded, not reused.
 */
export const withClient = async <T>(pool: pg.Pool, fn: (client: pg.PoolClient, discard: (why: Error) => void) => Promise<T>): Promise<T> => {
  const client = await pool.connect()
  let broken: Error | undefined
  const heard = (e: Error): void => { broken = e }
  client.on('error', heard)
  try {
    return await fn(client, heard)
  } finally {
    client.off('error', heard)
    client.release(broken)
  }
}

/** Runs `fn` in a transaction on one pooled client. */
export const inTransaction = <T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => withClient(pool, async (client) => {
  await client.query('BEGIN')
  try {
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw e
  }
})

/**
 * Rows above this are read in slices: PostgreSQL sends bytea as hex text, and one V8 string
 * cannot pass 512 M characters, so a row of 256 MiB or more would be unreadable whole.
 */
const SLICE_BYTES = 16 * 1024 * 1024

/** A row disappeared while read in slices (a compaction replaced it): the read starts again. */
class RowReplaced extends Error {}

const readRows = async (q: pg.Pool | pg.PoolClient, room: string, after: number): Promise<LogRow[]> => {
  const { rows } = await q.query<{ seq: string, n: number, data: Buffer | null }>(
    `SELECT seq, octet_length(data) AS n, CASE WHEN octet_length(data) <= ${SLICE_BYTES} THEN data END AS data
     FROM updates WHERE room = $1 AND seq > $2 ORDER BY seq`, [room, after])
  const out: LogRow[] = []
  for (const r of rows) out.push({ seq: Number(r.seq), data: r.data === null ? await readSliced(q, room, r.seq, r.n) : bytesOf(r.data) })
  return out
}

const readSliced = async (q: pg.Pool | pg.PoolClient, room: string, seq: string, size: number): Promise<Uint8Array> => {
  const out = new Uint8Array(size)
  for (let at = 0; at < size; at += SLICE_BYTES) {
    const { rows: [row] } = await q.query<{ part: Buffer }>(
      'SELECT substring(data from $3 for $4) AS part FROM updates WHERE room = $1 AND seq = $2', [room, seq, at + 1, SLICE_BYTES])
    if (row === undefined) throw new RowReplaced()
    out.set(row.part, at)
  }
  return out
}

/** The room's rows after `after`, read again from the start if a compaction replaced a big row midway. */
const readLogRows = async (q: pg.Pool | pg.PoolClient, room: string, after: number): Promise<LogRow[]> => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await readRows(q, room, after)
    } catch (e) {
      if (!(e instanceof RowReplaced) || attempt >= 5) throw e
    }
  }
}

/** Creates the tables once, even when several processes start at the same moment. */
export const createSchema = async (pool: pg.Pool, schema: string): Promise<void> => {
  await inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${LOCK})`, ['strata:schema'])
    await client.query(schema)
  })
}

/**
 * The PostgreSQL backend, which several server processes share. Appends to a room are
 * serialised by an advisory lock held until commit, so a room's seqs are in commit order and
 * a reader can catch up with "the rows after the last seq I have" (the Storage contract).
 * Commits wait for the WAL flush (PostgreSQL's default), so a row is durable before it is relayed.
 */
export const openPostgresStorage = async (pool: pg.Pool): Promise<Storage> => {
  await createSchema(pool, SCHEMA)
  const one = async <R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R | undefined> =>
    (await pool.query<R>(sql, params)).rows[0]

  const readLog = (room: string, after = 0): Promise<LogRow[]> => readLogRows(pool, room, after)

  const appendUpdate = (room: string, update: Uint8Array): Promise<Appended> => inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${LOCK})`, [appendKey(room)])
    // The sub-selects see the log as it was before this insert.
    const { rows: [row] } = await client.query<{ seq: string, prev: string, rows: string }>(
      `WITH ins AS (INSERT INTO updates (room, data) VALUES ($1, $2) RETURNING seq)
       SELECT ins.seq, (SELECT coalesce(max(seq), 0) FROM updates WHERE room = $1) AS prev,
              (SELECT count(*) FROM updates WHERE room = $1) AS rows FROM ins`, [room, update])
    if (row === undefined) throw new Error('append answered no row')
    return { seq: Number(row.seq), prev: Number(row.prev), rows: Number(row.rows) + 1 }
  })

  // One process compacts a room at a time (a session lock, released when the connection goes).
  // Only rows read from the log are merged; the swap is one transaction, so a crash leaves
  // either the old rows or the merged one, and a reader sees one or the other.
  const compact = (room: string): Promise<boolean> => withClient(pool, async (client, discard) => {
    const { rows: [lock] } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS ok`, [compactKey(room)])
    if (lock?.ok !== true) return false
    try {
      // Under the compaction lock nobody else replaces rows, so the read never restarts.
      const plan = planCompaction(await readLogRows(client, room, 0))
      if (plan === null) return true
      await client.query('BEGIN')
      try {
        await client.query(`SELECT pg_advisory_xact_lock(${LOCK})`, [appendKey(room)])
        await client.query('DELETE FROM updates WHERE room = $1 AND seq >= $2 AND seq <= $3', [room, plan.first, plan.last])
        await client.query('INSERT INTO updates (seq, room, data) VALUES ($1, $2, $3)', [plan.last, room, plan.merged])
        await client.query('COMMIT')
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw e
      }
      return true
    } finally {
      // If the unlock fails, the connection is closed instead of pooled: the session lock goes with it.
      await client.query(`SELECT pg_advisory_unlock(${LOCK})`, [compactKey(room)]).catch((e: Error) => discard(e))
    }
  })

  return {
    readLog,
    appendUpdate,
    compact,
    createProject: async (p) => { await pool.query('INSERT INTO projects (id, name, created_at) VALUES ($1, $2, $3)', [p.id, p.name, p.createdAt]) },
    getProject: async (id) => { const r = await one<ProjectDbRow>('SELECT * FROM projects WHERE id = $1', [id]); return r && toProject(r) },
    listProjects: async () => (await pool.query<ProjectDbRow>('SELECT * FROM projects ORDER BY created_at, id')).rows.map(toProject),
    createToken: async (t, hash) => {
      await pool.query('INSERT INTO tokens (id, hash, project_id, role, created_at) VALUES ($1, $2, $3, $4, $5)', [t.id, hash, t.projectId, t.role, t.createdAt])
    },
    findToken: async (hash) => { const r = await one<TokenDbRow>('SELECT * FROM tokens WHERE hash = $1', [hash]); return r && toToken(r) },
    listTokens: async (projectId) => (await pool.query<TokenDbRow>('SELECT * FROM tokens WHERE project_id = $1 ORDER BY created_at, id', [projectId])).rows.map(toToken),
    revokeToken: async (projectId, tokenId) =>
      ((await pool.query('UPDATE tokens SET revoked_at = $1 WHERE project_id = $2 AND id = $3 AND revoked_at IS NULL', [Date.now(), projectId, tokenId])).rowCount ?? 0) > 0,
    // The pool is the backend's, shared with the blob store: whoever opened it closes it.
    close: async () => undefined,
  }
}
