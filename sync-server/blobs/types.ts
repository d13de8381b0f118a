import type { Readable } from 'node:stream'

/** A blob is named by the sha256 of its bytes, lower-case hex. */
export const BLOB_HASH = /^[0-9a-f]{64}$/

/** Why a blob upload was refused, as an HTTP status and a reason. */
export interface BlobRefusal { status: 400 | 413, reason: string }

/**
 * Where the server keeps a project's files (images), named by their sha256, immutable. One
 * process uses a folder; several processes use a store they all reach (PostgreSQL today; an
 * S3-compatible bucket fits the same five calls). Every implementation checks names against
 * the strict patterns before it uses them.
 */
export interface BlobStore {
  /** Size of a stored blob, or null if the server lacks it. */
  size(projectId: string, hash: string): Promise<number | null>
  /** The hashes in `hashes` the server does not have. */
  missing(projectId: string, hashes: readonly string[]): Promise<string[]>
  /** The stored bytes as a stream; call after `size` answered a number. */
  read(projectId: string, hash: string): Promise<Readable>
  /** The stored bytes at once, or null if the server lacks them (for exports that need each file whole). */
  bytes(projectId: string, hash: string): Promise<Uint8Array | null>
  /**
   * Stores an upload only if its sha256 matches the name and it stays under `maxBytes`: a wrong
   * or cut-off upload never becomes a blob. Answers the refusal, or null once it is stored.
   */
  write(projectId: string, hash: string, body: AsyncIterable<Buffer>, maxBytes: number): Promise<BlobRefusal | null>
}
