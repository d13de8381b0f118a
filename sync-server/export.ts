import { type Version, VersionNotAvailableError, NotFoundError, describeDeletion, findVersion, openVersion, readProject } from '../src/domain/index.ts'
import { type YoloExport, type YoloSplitTags, DEFAULT_SPLIT_TAGS, toCoco, toYolo } from '../src/io/index.ts'
import { ambiguousVersion } from '../src/wire.ts'
import type * as Y from 'yjs'
import type { Rooms } from './registry.ts'

/** What `GET /api/projects/:id/export` answers: a COCO file, a YOLO export to stream as a zip, or a status with a reason. */
export type ExportAnswer =
  | { status: 200; body: unknown; filename: string }
  | { status: 200; yolo: YoloExport; images: boolean; filename: string }
  | { status: 400 | 404 | 409; error: string }

/** `split` absent: no split; empty or `1`: the default tags; `a,b,c`: the tags of train, val and test. */
const splitOf = (query: URLSearchParams): YoloSplitTags | undefined | string => {
  const v = query.get('split')
  if (v === null) return undefined
  if (v === '' || v === '1') return DEFAULT_SPLIT_TAGS
  const t = v.split(',').map((x) => x.trim())
  if (t.length !== 3 || t.some((x) => x === '')) return 'split takes three tags: train,val,test'
  return { train: t[0]!, val: t[1]!, test: t[2]! }
}

/** The version `wanted` names (an id, else a name), or the refusal: 409 lists every version a shared name matches. */
const pick = (doc: Y.Doc, wanted: string): Version | ExportAnswer => {
  const match = findVersion(doc, wanted)
  if (match.found === 'one') return match.version
  if (match.found === 'several') return { status: 409, error: ambiguousVersion(wanted, match.candidates) }
  if (match.found === 'deleted') return { status: 404, error: describeDeletion(match.deleted) }
  return { status: 404, error: `no version "${wanted}" in this project` }
}

const fileSlug = (text: string): string => text.replace(/[^a-z0-9._-]+/gi, '-')

/**
 * Materialises latest or a version from the room's document with the domain layer and
 * writes it as COCO, or plans it as YOLO (`format=yolo`, with `split` and `images=0`;
 * `yoloZip.ts` streams it). The room is loaded (from storage) if no one has it open, and reads the log first in a cluster.
 */
export const exportProject = async (rooms: Rooms, projectId: string, query: URLSearchParams): Promise<ExportAnswer> => {
  const format = query.get('format') ?? 'coco'
  if (format !== 'coco' && format !== 'yolo') return { status: 400, error: `format "${format}" is not supported; use format=coco or format=yolo` }
  const split = splitOf(query)
  if (typeof split === 'string') return { status: 400, error: split }
  const wanted = query.get('version') ?? 'latest'
  const room = await rooms.get(projectId)
  try {
    // In a cluster, what another process logged a moment ago is part of latest too.
    await room.catchUp()
    const latest = readProject(room.doc)
    const slug = fileSlug(latest.meta.name || projectId)
    const version = wanted === 'latest' ? null : pick(room.doc, wanted)
    if (version && 'status' in version) return version
    const project = version ? readProject(openVersion(room.doc, version.id)) : latest
    const base = `${slug}-${version ? fileSlug(version.name) : 'latest'}`
    if (format === 'yolo') {
      const yolo = toYolo(project, { version: version?.name ?? 'latest', ...(split ? { split } : {}) })
      return { status: 200, yolo, images: query.get('images') !== '0', filename: `${base}.yolo.zip` }
    }
    return { status: 200, body: toCoco(project, version?.id ?? 'latest'), filename: `${base}.coco.json` }
  } catch (e) {
    if (e instanceof VersionNotAvailableError) return { status: 409, error: e.message }
    if (e instanceof NotFoundError) return { status: 404, error: e.message }
    throw e
  } finally {
    rooms.released(room)
  }
}
