import type * as Y from 'yjs'
import { type RunId, type VersionId, readProject } from '../domain/index.ts'
import { type ZipBody, crc32, describeYoloReport, readRunBlob, toCoco, toCocoResults, toYolo, writeYoloZip } from '../io/index.ts'
import type { FileStore } from './opened.ts'
import type { ExportFile } from './protocol.ts'
import { metaOf } from './records.ts'

/** A file name made of a project's and a version's names. */
export const fileSlug = (...parts: string[]): string => parts.map((p) => p.replace(/[^a-z0-9._-]+/gi, '-').replace(/^-|-$/g, '')).filter(Boolean).join('-')

const json = (value: unknown): Blob => new Blob([JSON.stringify(value)], { type: 'application/json' })

/** What a tab shows (or latest) as COCO; with a run, that run's predictions numbered the same way. */
export const exportCoco = async (doc: Y.Doc, shown: VersionId | null, version: string, runId: RunId | null, blobs: FileStore): Promise<ExportFile> => {
  const project = readProject(doc)
  const gt = toCoco(project, shown ?? 'latest')
  const base = fileSlug(String(metaOf(doc, 'name') ?? ''), version)
  if (runId === null) return { fileName: `${base}.coco.json`, blob: json(gt) }
  const run = project.runs.find((r) => r.id === runId)
  if (!run) throw new Error('Choose a run of this version')
  const blob = await blobs.get(run.blob)
  if (!blob) throw new Error(`The predictions of "${run.name}" are not on this device or the server yet`)
  const { results } = toCocoResults(readRunBlob(JSON.parse(await blob.text())), gt)
  return { fileName: `${base}-${fileSlug(run.name)}.results.json`, blob: json(results) }
}

/** Slices small enough that reading and checksumming one never holds the engine for long. */
const SLICE = 1 << 20

/** A stored image as an archive part: the Blob itself goes in (no copy), its CRC read slice by slice. */
const partOf = async (blob: Blob): Promise<ZipBody<Blob>> => {
  let crc = 0
  for (let at = 0; at < blob.size; at += SLICE) crc = crc32(new Uint8Array(await blob.slice(at, at + SLICE).arrayBuffer()), crc)
  return { body: blob, size: blob.size, crc }
}

/** What a tab shows (or latest) as one zip in the Ultralytics layout, with the images this device or the server has. */
export const exportYolo = async (
  doc: Y.Doc, version: string, input: { split: { train: string; val: string; test: string } | null; withImages: boolean }, blobs: FileStore, progress: (text: string) => void,
): Promise<ExportFile & { report: string[] }> => {
  progress('Preparing…')
  const exp = toYolo(readProject(doc), { version, ...(input.split ? { split: input.split } : {}) })
  const parts: BlobPart[] = []
  const fetchImage = input.withImages ? async (im: { blob: string }) => {
    const blob = await blobs.get(im.blob)
    return blob ? partOf(blob) : null
  } : null
  const missing = await writeYoloZip<Blob>(exp, fetchImage, (p) => void parts.push(p as BlobPart), (done, total) => progress(`Exporting YOLO: ${done} of ${total} images`))
  const report = [...describeYoloReport(exp.report, missing.length), ...(input.withImages ? [] : ['Labels only: no image files in the archive'])]
  return { fileName: `${fileSlug(String(metaOf(doc, 'name') ?? ''), version)}.yolo.zip`, blob: new Blob(parts, { type: 'application/zip' }), report }
}
