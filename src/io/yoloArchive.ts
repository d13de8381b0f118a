import type { YoloExport, YoloImage } from './yolo.ts'
import { ZipWriter, crc32 } from './zip.ts'

/** An image's bytes as the caller holds them (bytes in the CLI, a Blob in the browser), with their size and CRC-32. */
export interface ZipBody<T> {
  body: T
  size: number
  crc: number
}

/** Fetches an image for the archive; null when neither this device nor the server has it. */
export type FetchImage<T> = (image: YoloImage) => Promise<ZipBody<T> | null>

/** How many images are fetched ahead of the one being written: the server is asked a few at a time. */
const AHEAD = 4

const utf8 = new TextEncoder()

/** Text as an archive entry. */
export const textBody = (text: string): ZipBody<Uint8Array> => {
  const body = utf8.encode(text)
  return { body, size: body.length, crc: crc32(body) }
}

/**
 * Writes a YOLO export as one stored zip, part by part through `emit`: the label files, lists
 * and data.yaml, then each image `fetchImage` finds (`withImages` off: none), then strata.json
 * naming the images that were not available. Answers those images' paths. A fetch that
 * throws (the server refused, the network went) stops the export with its error.
 */
export const writeYoloZip = async <T>(
  exp: YoloExport,
  fetchImage: FetchImage<T> | null,
  emit: (part: Uint8Array | T) => void | Promise<void>,
  progress: (done: number, total: number) => void = () => undefined,
): Promise<string[]> => {
  const zip = new ZipWriter()
  const put = async (path: string, e: ZipBody<Uint8Array | T>): Promise<void> => {
    await emit(zip.entry(path, e.size, e.crc))
    await emit(e.body)
  }
  for (const f of exp.files) await put(f.path, textBody(f.text))
  const missing: string[] = []
  if (fetchImage) {
    const images = exp.images
    const started: Array<Promise<ZipBody<T> | null>> = []
    const start = (i: number) => {
      if (i >= images.length) return
      started[i] = fetchImage(images[i]!)
      // Awaited in order below; until then a failure must not count as unhandled.
      started[i]!.catch(() => undefined)
    }
    for (let i = 0; i < AHEAD; i++) start(i)
    for (let i = 0; i < images.length; i++) {
      const got = await started[i]!
      delete started[i]
      start(i + AHEAD)
      if (got) await put(images[i]!.path, got)
      else missing.push(images[i]!.path)
      progress(i + 1, images.length)
    }
  }
  const notes = exp.notes(fetchImage ? missing : 'not included')
  await put(notes.path, textBody(notes.text))
  await emit(zip.finish())
  return missing
}
