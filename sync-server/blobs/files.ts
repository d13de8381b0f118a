import { createHash, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { PROJECT_ID } from '../auth.ts'
import { BLOB_HASH, type BlobRefusal, type BlobStore } from './types.ts'

const validName = (projectId: string, hash: string): boolean => PROJECT_ID.test(projectId) && BLOB_HASH.test(hash)

/**
 * Content-addressed files under `<data>/blobs/<project>/<aa>/<sha256>`. Every name is checked
 * against a strict pattern before a path is built, so no request can name a file elsewhere.
 */
export class FolderBlobs implements BlobStore {
  private readonly root: string
  private readonly tmp: string

  constructor (dataDir: string) {
    this.root = path.join(dataDir, 'blobs')
    this.tmp = path.join(this.root, '.incoming')
    fs.mkdirSync(this.tmp, { recursive: true })
  }

  /** The file of a blob; throws on a project id or hash that is not of the strict form. */
  private fileOf (projectId: string, hash: string): string {
    if (!validName(projectId, hash)) throw new Error('invalid blob name')
    return path.join(this.root, projectId, hash.slice(0, 2), hash)
  }

  async size (projectId: string, hash: string): Promise<number | null> {
    // A name of another form (a document may hold anything) cannot be stored: it is missing.
    if (!validName(projectId, hash)) return null
    const file = this.fileOf(projectId, hash)
    try {
      return (await fs.promises.stat(file)).size
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw e
    }
  }

  async missing (projectId: string, hashes: readonly string[]): Promise<string[]> {
    const sizes = await Promise.all(hashes.map((h) => this.size(projectId, h)))
    return hashes.filter((_, i) => sizes[i] === null)
  }

  async read (projectId: string, hash: string): Promise<Readable> {
    return fs.createReadStream(this.fileOf(projectId, hash))
  }

  async bytes (projectId: string, hash: string): Promise<Uint8Array | null> {
    if (await this.size(projectId, hash) === null) return null
    return new Uint8Array(await fs.promises.readFile(this.fileOf(projectId, hash)))
  }

  // Streamed to a temporary file while hashed, and moved into place only if the sha256 matches.
  async write (projectId: string, hash: string, body: AsyncIterable<Buffer>, maxBytes: number): Promise<BlobRefusal | null> {
    const target = this.fileOf(projectId, hash)
    const temp = path.join(this.tmp, randomUUID())
    const out = await fs.promises.open(temp, 'wx')
    const sha = createHash('sha256')
    let size = 0
    try {
      for await (const chunk of body) {
        size += chunk.length
        if (size > maxBytes) return { status: 413, reason: `blob over ${maxBytes} bytes` }
        sha.update(chunk)
        await out.write(chunk)
      }
      if (sha.digest('hex') !== hash) return { status: 400, reason: 'the bytes do not match their sha256' }
      await out.sync()
      await out.close()
      await fs.promises.mkdir(path.dirname(target), { recursive: true })
      await fs.promises.rename(temp, target)
      return null
    } finally {
      await out.close().catch(() => undefined)
      await fs.promises.rm(temp, { force: true })
    }
  }
}
