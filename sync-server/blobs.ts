import { createHash, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { PROJECT_ID } from './auth.ts'

/** A blob is named by the sha256 of its bytes, lower-case hex. */
export const BLOB_HASH = /^[0-9a-f]{64}$/

/** Why a blob upload was refused, as an HTTP status and a reason. */
export interface BlobRefusal { status: 400 | 413, reason: string }

/**
 * Content-addressed files under `<data>/blobs/<project>/<aa>/<sha256>`. Every name is checked
 * against a strict pattern before a path is built, so no request can name a file elsewhere.
 */
export class BlobStore {
  private readonly root: string
  private readonly tmp: string

  constructor (dataDir: string) {
    this.root = path.join(dataDir, 'blobs')
    this.tmp = path.join(this.root, '.incoming')
    fs.mkdirSync(this.tmp, { recursive: true })
  }

  /** The file of a blob; throws on a project id or hash that is not of the strict form. */
  fileOf (projectId: string, hash: string): string {
    if (!PROJECT_ID.test(projectId) || !BLOB_HASH.test(hash)) throw new Error('invalid blob name')
    return path.join(this.root, projectId, hash.slice(0, 2), hash)
  }

  /** Size of a stored blob, or null if the server lacks it. */
  size (projectId: string, hash: string): number | null {
    try {
      return fs.statSync(this.fileOf(projectId, hash)).size
    } catch {
      return null
    }
  }

  /** The hashes in `hashes` the server does not have. */
  missing (projectId: string, hashes: readonly string[]): string[] {
    return hashes.filter((h) => this.size(projectId, h) === null)
  }

  /** Opens a stored blob for reading. */
  read (projectId: string, hash: string): fs.ReadStream {
    return fs.createReadStream(this.fileOf(projectId, hash))
  }

  /**
   * Streams an upload to a temporary file while hashing it, and moves it into place only if
   * its sha256 matches the name: a wrong or cut-off upload never becomes a blob.
   */
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
