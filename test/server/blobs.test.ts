import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { FolderBlobs } from '../../sync-server/blobs/files.ts'
import { openPostgresBlobs } from '../../sync-server/blobs/postgres.ts'
import type { BlobStore } from '../../sync-server/blobs/types.ts'
import { tempDir } from './harness.ts'
import { type SuiteHooks, freshDatabases, onFreshDatabases, useHooks } from './postgres.ts'

/** A store under contract, and how to count what a refused upload left behind. */
interface Opened { store: BlobStore, leftovers(): Promise<number> }
interface Backend extends SuiteHooks { open(): Promise<Opened> }

const postgres = freshDatabases()

// The contract every BlobStore must meet; PostgreSQL is real, each test on a fresh database.
const backends: Array<[string, Backend]> = [
  ['folder', {
    open: async () => {
      const dir = tempDir()
      const store = new FolderBlobs(dir)
      return { store, leftovers: async () => fs.readdirSync(path.join(dir, 'blobs', '.incoming')).length }
    },
  }],
  ['postgres', {
    open: async () => {
      const pool = await postgres.pool()
      const store = await openPostgresBlobs(pool)
      return { store, leftovers: async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM blob_chunks')).rows[0]?.n ?? -1 }
    },
    ...onFreshDatabases(postgres),
  }],
]

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** The bytes as an upload arrives: in pieces of `size` bytes. */
async function* pieces (bytes: Uint8Array, size = 64 * 1024 + 1): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield Buffer.from(bytes.subarray(at, at + size))
}

const readAll = async (stream: AsyncIterable<Buffer>): Promise<Buffer> => {
  const parts: Buffer[] = []
  for await (const part of stream) parts.push(part)
  return Buffer.concat(parts)
}

const MAX = 8 * 1024 * 1024

describe.each(backends)('BlobStore contract: %s', (_name, backend) => {
  useHooks(backend)
  const { open } = backend

  test('stores a blob under its sha256: size, missing, read and bytes answer it, and only in its project', async () => {
    const { store } = await open()
    const image = new Uint8Array(randomBytes(5000))
    const hash = sha(image)
    const absent = sha(new Uint8Array([1, 2, 3]))
    expect(await store.size('p1', hash)).toBeNull()
    expect(await store.write('p1', hash, pieces(image, 777), MAX)).toBeNull()
    expect(await store.size('p1', hash)).toBe(image.length)
    expect(await store.missing('p1', [hash, absent])).toEqual([absent])
    expect(await store.missing('p2', [hash])).toEqual([hash])
    expect(await store.bytes('p1', hash)).toEqual(image)
    expect(new Uint8Array(await readAll(await store.read('p1', hash)))).toEqual(image)
    expect(await store.bytes('p1', absent)).toBeNull()
    expect(await store.bytes('p2', hash)).toBeNull()
    // The same bytes again change nothing.
    expect(await store.write('p1', hash, pieces(image), MAX)).toBeNull()
    expect(await store.bytes('p1', hash)).toEqual(image)
  })

  test('refuses bytes that do not match their name, and keeps nothing of them', async () => {
    const { store, leftovers } = await open()
    const image = new Uint8Array(randomBytes(2 * 1024 * 1024))
    const claimed = sha(new Uint8Array(randomBytes(16)))
    expect(await store.write('p1', claimed, pieces(image), MAX)).toMatchObject({ status: 400 })
    expect(await store.size('p1', claimed)).toBeNull()
    expect(await store.missing('p1', [claimed])).toEqual([claimed])
    expect(await store.bytes('p1', claimed)).toBeNull()
    expect(await leftovers()).toBe(0)
  })

  test('refuses an upload over the size cap, and keeps nothing of it', async () => {
    const { store, leftovers } = await open()
    const image = new Uint8Array(randomBytes(3 * 1024 * 1024))
    const hash = sha(image)
    expect(await store.write('p1', hash, pieces(image), 2 * 1024 * 1024)).toMatchObject({ status: 413 })
    expect(await store.size('p1', hash)).toBeNull()
    expect(await store.bytes('p1', hash)).toBeNull()
    expect(await leftovers()).toBe(0)
    // Exactly at the cap is allowed.
    expect(await store.write('p1', hash, pieces(image), image.length)).toBeNull()
    expect(await store.size('p1', hash)).toBe(image.length)
  })

  test('a blob of several MiB round-trips byte for byte, streamed and whole', async () => {
    const { store } = await open()
    const image = new Uint8Array(randomBytes(3 * 1024 * 1024 + 12345))
    const hash = sha(image)
    expect(await store.write('p1', hash, pieces(image), MAX)).toBeNull()
    expect(await store.size('p1', hash)).toBe(image.length)
    // Compared as buffers: a deep equality of millions of elements is slow, and its diff unreadable.
    expect(Buffer.from(image).equals(await readAll(await store.read('p1', hash)))).toBe(true)
    const whole = await store.bytes('p1', hash)
    expect(whole !== null && Buffer.from(image).equals(whole)).toBe(true)
  })

  test('names of another form are missing and never written', async () => {
    const { store } = await open()
    const image = new Uint8Array([9, 9, 9])
    const hash = sha(image)
    for (const [project, name] of [['../p1', hash], ['p1', '../x'], ['p1', hash.toUpperCase()], ['p1', `${hash}0`]] as const) {
      expect(await store.size(project, name)).toBeNull()
      expect(await store.bytes(project, name)).toBeNull()
      expect(await store.missing(project, [name])).toEqual([name])
      await expect(store.write(project, name, pieces(image), MAX)).rejects.toThrow()
    }
  })
})
