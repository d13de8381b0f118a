import { type Version, VersionNotAvailableError, NotFoundError, describeDeletion, findVersion, openVersion, readProject } from '../src/domain/index.ts'
import { toCoco } from '../src/io/index.ts'
import { ambiguousVersion } from '../src/wire.ts'
import type * as Y from 'yjs'
import type { Rooms } from './registry.ts'

/** What `GET /api/projects/:id/export` answers: a COCO file, or a status with a reason. */
export type ExportAnswer = { status: 200; body: unknown; filename: string } | { status: 400 | 404 | 409; error: string }

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
 * writes it as COCO. The room is loaded (from storage) if no one has it open.
 */
export const exportProject = async (rooms: Rooms, projectId: string, query: URLSearchParams): Promise<ExportAnswer> => {
  const format = query.get('format') ?? 'coco'
  if (format !== 'coco') return { status: 400, error: `format "${format}" is not supported; use format=coco` }
  const wanted = query.get('version') ?? 'latest'
  const room = await rooms.get(projectId)
  try {
    const project = readProject(room.doc)
    const slug = fileSlug(project.meta.name || projectId)
    if (wanted === 'latest') return { status: 200, body: toCoco(project, 'latest'), filename: `${slug}-latest.coco.json` }
    const version = pick(room.doc, wanted)
    if ('status' in version) return version
    return { status: 200, body: toCoco(readProject(openVersion(room.doc, version.id)), version.id), filename: `${slug}-${fileSlug(version.name)}.coco.json` }
  } catch (e) {
    if (e instanceof VersionNotAvailableError) return { status: 409, error: e.message }
    if (e instanceof NotFoundError) return { status: 404, error: e.message }
    throw e
  } finally {
    rooms.released(room)
  }
}
