import type * as Y from 'yjs'
import type { VersionId } from './ids.ts'
import { maps } from './project.ts'
import { sourceOf } from './source.ts'
import { type Version, listVersions, toVersion } from './versions.ts'
import { type DeletedVersion, deletedVersion } from './deletedVersions.ts'

/** What the project knows of a version id: the version, the trace of its deletion, or nothing. */
export type VersionLookup = { found: 'version'; version: Version } | { found: 'deleted'; deleted: DeletedVersion } | { found: 'nothing' }

/** Looks a version id up (a link, a reload, the version someone is viewing). */
export const lookUpVersion = (doc: Y.Doc, versionId: VersionId): VersionLookup => {
  const record = maps(sourceOf(doc).doc).versions.get(versionId)
  if (record) return { found: 'version', version: toVersion(versionId, record) }
  const deleted = deletedVersion(doc, versionId)
  return deleted ? { found: 'deleted', deleted } : { found: 'nothing' }
}

/** Versions of this name (compared trimmed), oldest first: two people offline may both have used it. */
export const versionsNamed = (doc: Y.Doc, name: string): Version[] => {
  const wanted = name.trim()
  return wanted === '' ? [] : listVersions(doc).filter((v) => v.name === wanted)
}

/** A version asked for by id or by name; a name two versions share is answered with both. */
export type VersionMatch =
  | { found: 'one'; version: Version }
  | { found: 'several'; candidates: Version[] }
  | { found: 'deleted'; deleted: DeletedVersion }
  | { found: 'none' }

/** Finds the version `wanted` names (an id, else a name), for exports and the command line. */
export const findVersion = (doc: Y.Doc, wanted: string): VersionMatch => {
  const byId = lookUpVersion(doc, wanted as VersionId)
  if (byId.found === 'version') return { found: 'one', version: byId.version }
  if (byId.found === 'deleted') return { found: 'deleted', deleted: byId.deleted }
  const named = versionsNamed(doc, wanted)
  if (named.length === 1) return { found: 'one', version: named[0] as Version }
  if (named.length > 1) return { found: 'several', candidates: named }
  // A name that only a deleted version had: say so rather than "no such version".
  for (const id of maps(sourceOf(doc).doc).deletedVersions.keys()) {
    const deleted = deletedVersion(doc, id as VersionId)
    if (deleted?.name === wanted.trim()) return { found: 'deleted', deleted }
  }
  return { found: 'none' }
}
