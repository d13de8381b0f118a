import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { type Actor, type ProjectJson, addItem, readProject } from '../domain/index.ts'
import { applyAtomically, imageInfo, type ImageInfo } from '../io/index.ts'
import { CliError } from './errors.ts'
import { type Target, missingBlobs, putBlob } from './rest.ts'
import type { Session } from './session.ts'

/** An image file found in the folder, named by its path relative to the folder. */
interface Found extends ImageInfo {
  name: string
  file: string
  sha256: string
}

const walk = async (dir: string): Promise<string[]> => {
  const entries = await fs.readdir(dir, { withFileTypes: true })
  const files = await Promise.all(entries.map(async (e) => {
    const full = path.join(dir, e.name)
    if (e.isDirectory()) return walk(full)
    return e.isFile() ? [full] : []
  }))
  return files.flat().sort()
}

/** Reads every file under `folder` once: images get their hash, type and size; others (and paths over 200 characters) are counted. */
const scanFolder = async (folder: string, log: (line: string) => void): Promise<{ images: Found[]; others: string[] }> => {
  const stat = await fs.stat(folder).catch(() => null)
  if (!stat?.isDirectory()) throw new CliError(`${folder} is not a folder`)
  const images: Found[] = []
  const others: string[] = []
  const files = await walk(folder)
  for (const file of files) {
    const bytes = await fs.readFile(file)
    const info = imageInfo(bytes)
    const name = path.relative(folder, file).split(path.sep).join('/')
    if (!info || name.length > 200) others.push(name)
    else images.push({ ...info, name, file, sha256: createHash('sha256').update(bytes).digest('hex') })
    if ((images.length + others.length) % 1000 === 0) log(`read ${images.length + others.length} of ${files.length} files`)
  }
  return { images, others }
}

/** Uploads the files whose hash the server lacks, a few at a time. */
const uploadMissing = async (t: Target, files: Array<{ file: string; sha256: string }>, log: (line: string) => void): Promise<number> => {
  const missing = await missingBlobs(t, [...new Set(files.map((f) => f.sha256))])
  const queue = files.filter((f) => missing.delete(f.sha256))
  let done = 0
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      await putBlob(t, next.sha256, new Uint8Array(await fs.readFile(next.file)))
      if (++done % 100 === 0) log(`uploaded ${done} files`)
    }
  }
  const total = queue.length
  await Promise.all([1, 2, 3, 4].map(worker))
  return total
}

/** Items to add: files whose name is new; a name already used is skipped (same file) or refused (other file). */
const sortOut = (project: ProjectJson, images: Found[]): { add: Found[]; same: number; clashes: string[] } => {
  const byName = new Map(project.items.map((i) => [i.name, i.blob]))
  const add: Found[] = []
  const clashes: string[] = []
  let same = 0
  for (const image of images) {
    const blob = byName.get(image.name)
    if (blob === undefined) add.push(image)
    else if (blob === image.sha256) same++
    else clashes.push(image.name)
  }
  return { add, same, clashes }
}

/** `import images <folder>`: upload what the server lacks, then add one item per new file in one transaction. */
export const importImages = async (t: Target, folder: string, session: () => Promise<Session>, by: Actor, log: (line: string) => void): Promise<void> => {
  const { images, others } = await scanFolder(folder, log)
  if (images.length === 0) throw new CliError(`no PNG, JPEG, GIF, WebP or BMP files under ${folder}`)
  const uploaded = await uploadMissing(t, images, log)
  const s = await session()
  const { add, same, clashes } = sortOut(readProject(s.doc), images)
  applyAtomically(s.doc, () => {
    for (const i of add) addItem(s.doc, { name: i.name, blob: i.sha256, mime: i.mime, width: i.width, height: i.height }, by)
  })
  await s.close()
  log(`${add.length} images added, ${same} already in the project, ${uploaded} files uploaded${others.length ? `, ${others.length} files that are not images (or have paths over 200 characters) left out` : ''}`)
  if (clashes.length) {
    throw new CliError(`${clashes.length} files were not added because an item with the same name holds another image: ${clashes.slice(0, 5).join(', ')}`)
  }
}
