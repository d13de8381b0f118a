import { type Result, fail, ok } from './result.ts'

/** The largest file an import reads: a 100,000-image COCO file is ~60 MB, a million predictions ~150 MB. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MiB`

/** Refuses a file before it is read when it is larger than an import may be. */
export const checkSize = (bytes: number, what: string, max = MAX_IMPORT_BYTES): Result<number> =>
  bytes > max ? fail(`${what} is ${mib(bytes)}; imports are limited to ${mib(max)}. Split it into smaller files`) : ok(bytes)

/** Parses a JSON file's text, naming the file and where the syntax broke. */
export const parseJsonText = (text: string, what: string): Result<unknown> => {
  const size = checkSize(text.length, what)
  if (!size.ok) return size
  if (text.trim() === '') return fail(`${what} is empty`)
  try {
    return ok(JSON.parse(text) as unknown)
  } catch (e) {
    return fail(`${what} is not JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** A plain object, for shape checks on parsed JSON. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
