import { isSha256 } from './ids.ts'
import { ValidationError } from './errors.ts'

/**
 * The building blocks of the record schemas. Each record module declares one schema from
 * these rules; the domain checks every record it writes with it, and the server checks every
 * record a client sends with the same schema (`schema.ts`), so the two never disagree.
 */

/** A field's rule: null when the value is acceptable, else what is wrong as a phrase ("must not be empty"). */
export type Rule = (value: unknown) => string | null

/** One rule per field of a record type `T`: a field added to the type without a rule does not compile. */
export type Fields<T> = { readonly [K in keyof Required<T>]: Rule }

/** A record's schema: what people call it (for messages) and the rule of each field. */
export interface RecordSchema<T> {
  what: string
  fields: Fields<T>
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Text of at most `max` characters. */
export const text = (max: number): Rule => (v) => (typeof v !== 'string' ? 'must be text' : v.length > max ? `is longer than ${max} characters` : null)

/** Text with something in it besides spaces, at most `max` characters. */
export const nonEmpty = (max: number): Rule => (v) => text(max)(v) ?? ((v as string).trim() === '' ? 'must not be empty' : null)

/** A name as people type one: not blank, at most 200 characters. */
export const NAME = nonEmpty(200)

/** Text matching `pattern`, which `looks` describes ("must look like #rrggbb"). */
export const matching = (pattern: RegExp, looks: string, max = 200): Rule => (v) => text(max)(v) ?? (pattern.test(v as string) ? null : looks)

/** A time in milliseconds since 1970. */
export const TIME: Rule = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'must be a time')

/** A whole number, zero or more. */
export const COUNT: Rule = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? null : 'must be a whole number')

/** The person who acted: `{ id, name }`. */
export const ACTOR: Rule = (v) => (isObject(v) && text(200)(v.id) === null && text(200)(v.name) === null ? null : 'must be a person ({ id, name })')

/** A blob reference: a lowercase sha256 hex digest. */
export const SHA256: Rule = (v) => (isSha256(v) ? null : 'must be a sha256 hex digest')

/** Binary data (a version's snapshot). */
export const BYTES: Rule = (v) => (v instanceof Uint8Array ? null : 'must be bytes')

/** A plain object (its fields are not checked further). */
export const OBJECT: Rule = (v) => (isObject(v) ? null : 'must be an object')

/** One of a few fixed values. */
export const oneOf = (...values: readonly unknown[]): Rule => (v) => (values.includes(v) ? null : `must be one of ${values.join(', ')}`)

/** JSON text of at most `max` characters. */
export const jsonText = (max: number): Rule => (v) => {
  const problem = text(max)(v)
  if (problem) return problem
  try {
    JSON.parse(v as string)
    return null
  } catch {
    return 'must be JSON text'
  }
}

/** Text as people typed it, trimmed; anything else is left for a rule to refuse. */
export const trimmed = <V>(value: V): V => (typeof value === 'string' ? (value.trim() as V) : value)

/** A field that may be null. */
export const nullable = (rule: Rule): Rule => (v) => (v === null ? null : rule(v))

/** Why `value` is not a valid record of `schema` (`bad field "mime": must be an image type`), or null. Extra fields are kept. */
export const recordProblem = <T>(schema: RecordSchema<T>, value: unknown): string | null => {
  if (!isObject(value)) return 'not an object'
  for (const [field, rule] of Object.entries<Rule>(schema.fields)) {
    const problem = rule(value[field])
    if (problem !== null) return `bad field "${field}": ${problem}`
  }
  return null
}

const shown = (v: unknown): string =>
  typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && v.length <= 60) ? `, got ${JSON.stringify(v)}` : ''

/** Checks one value with `rule` before a domain write; throws `${subject} ${problem}` as a ValidationError. */
export const requireValue = <V>(rule: Rule, value: V, subject: string): V => {
  const problem = rule(value)
  if (problem !== null) throw new ValidationError(`${subject} ${problem}${shown(value)}`)
  return value
}

/** Checks a record before a domain write ("Item mime must be an image type, got "text/html""); answers it. */
export const requireRecord = <T extends object>(schema: RecordSchema<T>, record: T): T => {
  for (const [field, rule] of Object.entries<Rule>(schema.fields)) requireValue(rule, (record as Record<string, unknown>)[field], `${schema.what} ${field}`)
  return record
}
