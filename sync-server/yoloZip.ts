import type { ServerResponse } from 'node:http'
import { type FetchImage, type YoloExport, crc32, writeYoloZip } from '../src/io/index.ts'
import type { BlobStore } from './blobs/types.ts'

/** An image from the blob store; null when the server never received it (the export lists it as missing). */
const fromStore = (blobs: BlobStore, projectId: string): FetchImage<Uint8Array> => async (image) => {
  const body = await blobs.bytes(projectId, image.blob)
  if (body === null) return null
  return { body, size: body.length, crc: crc32(body) }
}

/**
 * Streams a YOLO export as one stored zip, waiting on the socket when it is full so a big
 * dataset never sits in memory; the length is not known ahead, so the answer is chunked.
 * A client that goes away stops the export at the next write.
 */
export const streamYoloZip = async (res: ServerResponse, exp: YoloExport, images: boolean, blobs: BlobStore, projectId: string, filename: string): Promise<void> => {
  res.writeHead(200, { 'Content-Type': 'application/zip', 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="${filename}"` })
  const emit = async (part: Uint8Array): Promise<void> => {
    if (res.destroyed) throw new Error('the client went away during the export')
    if (res.write(part)) return
    await new Promise<void>((resolve) => {
      const done = () => (res.off('drain', done), res.off('close', done), resolve())
      res.on('drain', done).on('close', done)
    })
  }
  try {
    await writeYoloZip(exp, images ? fromStore(blobs, projectId) : null, emit)
    res.end()
  } catch {
    // Headers are gone: the only honest signal left is a cut-off answer, which no zip reader accepts.
    res.destroy()
  }
}
