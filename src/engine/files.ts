import { type CocoDataset, type PredictionTarget, type PredictionsReport, type Result, checkSize, hashText, imageInfo, parseCoco, parseJsonText, preparePredictions, runText, sha256Hex } from '../io/index.ts'

/**
 * Reads dropped or picked files in the engine worker (never on a tab's main thread): image
 * hashes and sizes, COCO files, prediction runs.
 */

/** An image's hash and size. */
export type ImageRead = { sha256: string; mime: string; width: number; height: number }
/** A prediction run ready to store: its bytes, their hash, and what was read. */
export type RunRead = { bytes: Uint8Array<ArrayBuffer>; sha256: string; count: number; report: PredictionsReport }

const sizeByDecoding = async (file: File): Promise<{ width: number; height: number } | null> => {
  try {
    const bitmap = await createImageBitmap(file)
    const size = { width: bitmap.width, height: bitmap.height }
    bitmap.close()
    return size
  } catch {
    return null
  }
}

/** Hashes and measures one image file. */
export const readImage = async (file: File): Promise<Result<ImageRead>> => {
  const bytes = await file.arrayBuffer()
  const header = imageInfo(new Uint8Array(bytes, 0, Math.min(bytes.byteLength, 256 * 1024)))
  const size = header ?? (await sizeByDecoding(file))
  if (!size) return { ok: false, error: `${file.name} is not a readable image` }
  const mime = header?.mime ?? (file.type.startsWith('image/') ? file.type : 'image/jpeg')
  return { ok: true, value: { sha256: await sha256Hex(bytes), mime, width: size.width, height: size.height } }
}

const readJson = async (file: File): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> => {
  const size = checkSize(file.size, file.name)
  return size.ok ? parseJsonText(await file.text(), file.name) : size
}

/** Reads and checks a COCO annotations file. */
export const readCoco = async (file: File): Promise<Result<CocoDataset>> => {
  const json = await readJson(file)
  return json.ok ? parseCoco(json.value, file.name) : json
}

/** Turns a COCO results file into a run's blob: parse, match ids to `target` (through `reference` when given), serialise and hash. */
export const readRun = async (file: File, reference: File | null, target: PredictionTarget): Promise<Result<RunRead>> => {
  const coco = reference ? await readCoco(reference) : null
  if (coco && !coco.ok) return coco
  const json = await readJson(file)
  if (!json.ok) return json
  const prepared = preparePredictions(target, json.value, coco?.value, file.name)
  if (!prepared.ok) return prepared
  const { bytes, sha256 } = await hashText(runText(prepared.value.predictions))
  return { ok: true, value: { bytes, sha256, count: prepared.value.report.count, report: prepared.value.report } }
}
