/// <reference lib="webworker" />
// Reads dropped or picked files off the main thread: image hashes and sizes, and JSON imports.
import { checkSize, imageInfo, parseCoco, parseJsonText, sha256Hex } from '../io/index.ts'
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

const readJson = async (file: File, coco: boolean): Promise<FileAnswer> => {
  const size = checkSize(file.size, file.name)
  if (!size.ok) return size
  const json = parseJsonText(await file.text(), file.name)
  if (!json.ok) return json
  if (!coco) return { ok: true, value: { kind: 'json', json: json.value } }
  const checked = parseCoco(json.value, file.name)
  return checked.ok ? { ok: true, value: { kind: 'coco', coco: checked.value } } : checked
}

self.onmessage = async (event: MessageEvent<FileJob>) => {
  const { id, kind, file } = event.data
  let answer: FileAnswer
  try {
    answer = kind === 'image' ? await hashImage(file) : await readJson(file, kind === 'coco')
  } catch (e) {
    answer = { ok: false, error: `${file.name}: ${e instanceof Error ? e.message : String(e)}` }
  }
  self.postMessage({ id, answer })
}
