/** Branded ids: a label id can never be passed where an item id is expected. */
export type ItemId = string & { readonly __brand: 'ItemId' }
export type LabelId = string & { readonly __brand: 'LabelId' }
export type ClassId = string & { readonly __brand: 'ClassId' }
export type RunId = string & { readonly __brand: 'RunId' }
export type VersionId = string & { readonly __brand: 'VersionId' }

/** A version-4 UUID from `getRandomValues`, for pages served over plain http (no randomUUID). */
const uuidFromRandomValues = (): string => {
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** A random id; records are keyed by these so concurrent creates never collide. */
export const newId = <T extends string>(): T => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : uuidFromRandomValues()) as T

/** The person acting: kept with every record they create. */
export interface Actor {
  id: string
  name: string
}

const SHA256 = /^[0-9a-f]{64}$/

/** True for a lowercase sha256 hex digest, the only form a blob reference may take. */
export const isSha256 = (value: unknown): value is string => typeof value === 'string' && SHA256.test(value)
