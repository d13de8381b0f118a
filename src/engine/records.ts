import type * as Y from 'yjs'
import { allRecords, getRecord, sourceOf } from '../domain/index.ts'
import type { ContentName, RecordOf } from '../domain/project.ts'

/**
 * Every record of one top-level map as `doc` shows it (live, or an opened version), so views
 * read classes, runs or tags without materialising the whole project.
 */
export const recordsOf = <K extends Exclude<ContentName, 'meta'>>(doc: Y.Doc, name: K): Array<[string, RecordOf<K>]> => allRecords(sourceOf(doc), name)

/** One meta field as `doc` shows it. */
export const metaOf = (doc: Y.Doc, key: 'name' | 'createdAt' | 'schema'): unknown => getRecord(sourceOf(doc), 'meta', key)
