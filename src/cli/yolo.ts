import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { ProjectJson } from '../domain/index.ts'
import { type FetchImage, type YoloImage, type YoloSplitTags, DEFAULT_SPLIT_TAGS, crc32, describeYoloReport, toYolo, writeYoloZip } from '../io/index.ts'
import { CliError } from './errors.ts'
import { type Target, call } from './rest.ts'

/** How `export --format yolo` was asked for. */
export interface YoloCliOptions {
  out: string
  version: string
  /** `--split` (default tag names) or `--split-tags train,val,test`. */
  split?: YoloSplitTags
  /** `--labels-only`: no image files, only labels, lists, data.yaml and strata.json. */
  labelsOnly: boolean
}

/** `--split-tags a,b,c` as the tags of train, val and test. */
export const splitTags = (flag: string | undefined, on: boolean | undefined): YoloSplitTags | undefined => {
  if (flag === undefined) return on ? DEFAULT_SPLIT_TAGS : undefined
  const tags = flag.split(',').map((t) => t.trim())
  if (tags.length !== 3 || tags.some((t) => t === '')) throw new CliError('--split-tags takes three tags: train,val,test (for example fit,holdout,exam)', 2)
  return { train: tags[0]!, val: tags[1]!, test: tags[2]! }
}

/** An image's file from the server; null when the server does not have it (a refusal or no network fails the export). */
const fromServer = (t: Target): FetchImage<Uint8Array> => async (image: YoloImage) => {
  const res = await call(t, 'GET', `/api/projects/${encodeURIComponent(t.project)}/blobs/${image.blob}`)
  if (res.status === 404) return null
  const body = new Uint8Array(await res.arrayBuffer())
  return { body, size: body.length, crc: crc32(body) }
}

/** A folder to write a dataset into: made if missing; one with files in it is refused, so no stale label is left beside new ones. */
const emptyFolder = async (out: string): Promise<void> => {
  const entries = await fs.readdir(out).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)))
  if (entries.length) throw new CliError(`${out} is not empty; give a new folder (or a .zip file) so no old labels mix with these`)
  await fs.mkdir(out, { recursive: true })
}

/** Writes the export as a folder: text files first, images a few at a time, strata.json last. */
const writeFolder = async (t: Target, out: string, exp: ReturnType<typeof toYolo>, labelsOnly: boolean, log: (line: string) => void): Promise<string[]> => {
  await emptyFolder(out)
  const put = async (rel: string, data: string | Uint8Array): Promise<void> => {
    // Every path is made by toYolo from safe stems; this check keeps it so whatever changes there.
    const file = path.resolve(out, rel)
    if (!file.startsWith(path.resolve(out) + path.sep)) throw new Error(`refusing to write ${rel} outside ${out}`)
    await fs.mkdir(path.dirname(file), { recursive: true })
    await fs.writeFile(file, data)
  }
  for (const f of exp.files) await put(f.path, f.text)
  const missing: string[] = []
  if (!labelsOnly) {
    const queue = [...exp.images]
    const fetch = fromServer(t)
    let done = 0
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const got = await fetch(next)
        if (got) await put(next.path, got.body)
        else missing.push(next.path)
        if (++done % 500 === 0) log(`wrote ${done} of ${exp.images.length} images`)
      }
    }
    await Promise.all([1, 2, 3, 4].map(worker))
    missing.sort()
  }
  const notes = exp.notes(labelsOnly ? 'not included' : missing)
  await put(notes.path, notes.text)
  return missing
}

/** Writes the export as one stored zip, streamed to the file. */
const writeZipFile = async (t: Target, out: string, exp: ReturnType<typeof toYolo>, labelsOnly: boolean, log: (line: string) => void): Promise<string[]> => {
  const stream = createWriteStream(out)
  const failed = new Promise<never>((_, reject) => stream.on('error', reject))
  const emit = (part: Uint8Array): Promise<void> | void =>
    stream.write(part) ? undefined : Promise.race([new Promise<void>((resolve) => stream.once('drain', resolve)), failed])
  const missing = await Promise.race([
    writeYoloZip(exp, labelsOnly ? null : fromServer(t), emit, (done, total) => done % 500 === 0 && log(`wrote ${done} of ${total} images`)),
    failed,
  ])
  await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())))
  return missing
}

/** `export --format yolo --out <folder|file.zip>`: the Ultralytics layout, with the images the server has unless --labels-only. */
export const exportYolo = async (t: Target, project: ProjectJson, opts: YoloCliOptions, log: (line: string) => void): Promise<void> => {
  if (opts.out === '-') throw new CliError('--format yolo writes a folder or a .zip file, not stdout', 2)
  const exp = toYolo(project, { version: opts.version, ...(opts.split ? { split: opts.split } : {}) })
  const write = opts.out.toLowerCase().endsWith('.zip') ? writeZipFile : writeFolder
  const missing = await write(t, opts.out, exp, opts.labelsOnly, log)
  for (const line of describeYoloReport(exp.report, missing.length)) log(line)
  log(`YOLO dataset written to ${opts.out}${opts.labelsOnly ? ' (labels only, no images)' : ''}`)
}
