import type { ProjectMaps } from './project.ts'
import { type RecordSchema, recordProblem as problemOf } from './rules.ts'
import { META } from './create.ts'
import { CLASS } from './classes.ts'
import { ITEM } from './items.ts'
import { LABEL } from './labels.ts'
import { tagProblem } from './tags.ts'
import { RUN } from './runs.ts'
import { VERSION } from './versions.ts'
import { DELETED_VERSION } from './deletedVersions.ts'

/**
 * The schema of every top-level map, for values that come from outside this replica: an
 * update a client sent the server, or a record another client or an older schema wrote.
 * These are the schemas the domain's own writes are checked with (each record's module
 * declares its own), so the server refuses exactly what the domain would not write,
 * except for rules that relate records (a label's box inside its image, its item existing).
 */
type Check = (key: string, value: unknown) => string | null

const record = <T>(schema: RecordSchema<T>): Check => (_key, value) => problemOf(schema, value)

const meta: Check = (key, value) => {
  const rule = (META as Record<string, (v: unknown) => string | null>)[key]
  if (rule === undefined) return 'unknown field'
  const problem = rule(value)
  return problem === null ? null : `bad value: ${problem}`
}

const CHECKS: Record<keyof ProjectMaps, Check> = {
  meta,
  classes: record(CLASS),
  items: record(ITEM),
  labels: record(LABEL),
  tags: tagProblem,
  runs: record(RUN),
  versions: record(VERSION),
  deletedVersions: record(DELETED_VERSION),
}

/** The names of Strata's top-level maps: every value in them must be a valid record. */
export const RECORD_MAPS: ReadonlySet<string> = new Set(Object.keys(CHECKS))

/** Why a record of top-level map `map` under `key` is malformed, or null when it is fine (or `map` is not Strata's). */
export const recordProblem = (map: string, key: string, value: unknown): string | null =>
  Object.hasOwn(CHECKS, map) ? CHECKS[map as keyof ProjectMaps](key, value) : null
