/// <reference lib="webworker" />
// Reads dropped or picked files off the main thread: image hashes and sizes, and JSON imports.
import { type CocoDataset, type PredictionTarget, checkSize, hashText, imageInfo, parseCoco, parseJsonText, preparePredictions, runText, sha256Hex } from '../io/index.ts'
import type { FileJob, FileAnswer } from './files.ts'

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

const hashImage = async (file: File): Promise<FileAnswer> => {
  const bytes = await file.arrayBuffer()
  const header = imageInfo(new Uint8Array(bytes, 0, Math.min(bytes.byteLength, 256 * 1024)))
  const size = header ?? (await sizeByDecoding(file))
  if (!size) return { ok: false, error: `${file.name} is not a readable image` }
  const mime = header?.mime ?? (file.type.startsWith('image/') ? file.type : 'image/jpeg')
  return { ok: true, value: { kind: 'image', sha256: await sha256Hex(bytes), mime, width: size.width, height: size.height } }
}

const readJson = async (file: File): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> => {
  const size = checkSize(file.size, file.name)
  return size.ok ? parseJsonText(await file.text(), file.name) : size
}

const readCoco = async (file: File): Promise<{ ok: true; value: CocoDataset } | { ok: false; error: string }> => {
  const json = await readJson(file)
  return json.ok ? parseCoco(json.value, file.name) : json
}

const readRun = async (file: File, reference: File | null, target: PredictionTarget): Promise<FileAnswer> => {
  const coco = reference ? await readCoco(reference) : null
  if (coco && !coco.ok) return coco
  const json = await readJson(file)
  if (!json.ok) return json
  const prepared = preparePredictions(target, json.value, coco?.value, file.name)
  if (!prepared.ok) return prepared
  const { bytes, sha256 } = await hashText(runText(prepared.value.predictions))
  return { ok: true, value: { kind: 'run', bytes: bytes.buffer, sha256, count: prepared.value.report.count, report: prepared.value.report } }
}

const answer = async (job: FileJob): Promise<FileAnswer> => {
  if (job.kind === 'image') return hashImage(job.file)
  if (job.kind === 'run') return readRun(job.file, job.reference, job.target)
  const coco = await readCoco(job.file)
  return coco.ok ? { ok: true, value: { kind: 'coco', coco: coco.value } } : coco
}

self.onmessage = async (event: MessageEvent<FileJob>) => {
  const job = event.data
  let result: FileAnswer
  try {
    result = await answer(job)
  } catch (e) {
    result = { ok: false, error: `${job.file.name}: ${e instanceof Error ? e.message : String(e)}` }
  }
  // The run's bytes move to the page rather than being copied.
  self.postMessage({ id: job.id, answer: result }, result.ok && result.value.kind === 'run' ? [result.value.bytes] : [])
}
