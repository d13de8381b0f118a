import { NotFoundError, VersionNotAvailableError, listVersions, openVersion, readProject, type VersionId } from '../src/domain/index.ts'
import { toCoco } from '../src/io/index.ts'
import type { Rooms } from './registry.ts'

/** What `GET /api/projects/:id/export` answers: a COCO file, or a status with a reason. */
export type ExportAnswer = { status: 200; body: unknown; filename: string } | { status: 400 | 404 | 409; error: string }

/** Finds a version by id, else by name (refusing a name two versions share). */
const findVersion = (versions: ReturnType<typeof listVersions>, wanted: string): VersionId | ExportAnswer => {
  const byId = versions.find((v) => v.id === wanted)
  if (byId) return byId.id
  const named = versions.filter((v) => v.name === wanted)
  if (named.length === 1) return named[0]!.id
  if (named.length > 1) return { status: 409, error: `${named.length} versions are named "${wanted}"; ask by id (${named.map((v) => v.id).join(', ')})` }
  return { status: 404, error: `no version "${wanted}" in this project` }
}

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
    const slug = (project.meta.name || projectId).replace(/[^a-z0-9._-]+/gi, '-')
    if (wanted === 'latest') return { status: 200, body: toCoco(project, 'latest'), filename: `${slug}-latest.coco.json` }
    const id = findVersion(listVersions(room.doc), wanted)
    if (typeof id !== 'string') return id
    const version = listVersions(room.doc).find((v) => v.id === id)
    return { status: 200, body: toCoco(readProject(openVersion(room.doc, id)), id), filename: `${slug}-${(version?.name ?? id).replace(/[^a-z0-9._-]+/gi, '-')}.coco.json` }
  } catch (e) {
    if (e instanceof VersionNotAvailableError) return { status: 409, error: e.message }
    if (e instanceof NotFoundError) return { status: 404, error: e.message }
    throw e
  } finally {
    rooms.released(room)
  }
}
