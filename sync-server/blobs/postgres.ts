import { createHash, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type pg from 'pg'
import { PROJECT_ID } from '../auth.ts'
import { createSchema } from '../storage/postgres.ts'
import { BLOB_HASH, type BlobRefusal, type BlobStore } from './types.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS blob_chunks (
  upload uuid NOT NULL, n integer NOT NULL, data bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (upload, n));
CREATE TABLE IF NOT EXISTS blobs (
  project_id text NOT NULL, hash text NOT NULL, size bigint NOT NULL, upload uuid NOT NULL,
  PRIMARY KEY (project_id, hash));
`

/** Bytes per stored chunk: an upload or a download holds one chunk in memory at a time. */
const CHUNK_BYTES = 1024 * 1024

/** Chunks of uploads that never completed (a process killed mid-upload) are dropped after this long. */
const ABANDONED_AFTER = '1 day'

const validName = (projectId: string, hash: string): boolean => PROJECT_ID.test(projectId) && BLOB_HASH.test(hash)

/**
 * Blobs in PostgreSQL, so every process of a cluster reaches them. An upload is written in
 * chunks under a fresh upload id while it is hashed, and becomes the blob only once its sha256
 * matches the name, in one insert; a refused or cut-off upload leaves no blob.
 */
export const openPostgresBlobs = async (pool: pg.Pool): Promise<BlobStore> => {
  await createSchema(pool, SCHEMA)
  await pool.query(`DELETE FROM blob_chunks c WHERE c.created_at < now() - interval '${ABANDONED_AFTER}'
    AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.upload = c.upload)`)

  const find = async (projectId: string, hash: string): Promise<{ size: number, upload: string } | null> => {
    if (!validName(projectId, hash)) return null
    const { rows: [row] } = await pool.query<{ size: string, upload: string }>('SELECT size, upload FROM blobs WHERE project_id = $1 AND hash = $2', [projectId, hash])
    return row === undefined ? null : { size: Number(row.size), upload: row.upload }
  }
  const chunk = async (upload: string, n: number): Promise<Buffer | undefined> =>
    (await pool.query<{ data: Buffer }>('SELECT data FROM blob_chunks WHERE upload = $1 AND n = $2', [upload, n])).rows[0]?.data

  async function* chunks (upload: string): AsyncGenerator<Buffer> {
    for (let n = 0; ; n++) {
      const data = await chunk(upload, n)
      if (data === undefined) return
      yield data
    }
  }

  const drop = (upload: string): Promise<unknown> => pool.query('DELETE FROM blob_chunks WHERE upload = $1', [upload])

  return {
    size: async (projectId, hash) => (await find(projectId, hash))?.size ?? null,
    missing: async (projectId, hashes) => {
      if (!PROJECT_ID.test(projectId)) return [...hashes]
      const { rows } = await pool.query<{ hash: string }>('SELECT hash FROM blobs WHERE project_id = $1 AND hash = ANY($2)', [projectId, hashes])
      const have = new Set(rows.map((r) => r.hash))
      return hashes.filter((h) => !have.has(h))
    },
    read: async (projectId, hash) => {
      const blob = await find(projectId, hash)
      if (blob === null) throw new Error('no such blob')
      return Readable.from(chunks(blob.upload))
    },
    bytes: async (projectId, hash) => {
      const blob = await find(projectId, hash)
      if (blob === null) return null
      const parts: Buffer[] = []
      for await (const part of chunks(blob.upload)) parts.push(part)
      return new Uint8Array(Buffer.concat(parts))
    },
    write: async (projectId, hash, body, maxBytes): Promise<BlobRefusal | null> => {
      if (!validName(projectId, hash)) throw new Error('invalid blob name')
      const upload = randomUUID()
      const sha = createHash('sha256')
      let size = 0
      let n = 0
      let pending: Buffer[] = []
      let pendingBytes = 0
      const flush = async (): Promise<void> => {
        if (pendingBytes === 0) return
        await pool.query('INSERT INTO blob_chunks (upload, n, data) VALUES ($1, $2, $3)', [upload, n++, Buffer.concat(pending)])
        pending = []
        pendingBytes = 0
      }
      let stored = false
      try {
        for await (const part of body) {
          size += part.length
          if (size > maxBytes) return { status: 413, reason: `blob over ${maxBytes} bytes` }
          sha.update(part)
          pending.push(part)
          pendingBytes += part.length
          if (pendingBytes >= CHUNK_BYTES) await flush()
        }
        if (sha.digest('hex') !== hash) return { status: 400, reason: 'the bytes do not match their sha256' }
        await flush()
        // Another process may have stored the same bytes meanwhile: then this copy goes.
        const { rowCount } = await pool.query('INSERT INTO blobs (project_id, hash, size, upload) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [projectId, hash, size, upload])
        stored = (rowCount ?? 0) > 0
        return null
      } finally {
        if (!stored) await drop(upload).catch(() => undefined)
      }
    },
  }
}
