/** Branded ids: a label id can never be passed where an item id is expected. */
export type ItemId = string & { readonly __brand: 'ItemId' }
export type LabelId = string & { readonly __brand: 'LabelId' }
export type ClassId = string & { readonly __brand: 'ClassId' }
export type RunId = string & { readonly __brand: 'RunId' }
export type VersionId = string & { readonly __brand: 'VersionId' }

/** A random id; records are keyed by these so concurrent creates never collide. */
export const newId = <T extends string>(): T => crypto.randomUUID() as T

/** The person acting: kept with every record they create. */
export interface Actor {
  id: string
  name: string
}

const SHA256 = /^[0-9a-f]{64}$/

/** True for a lowercase sha256 hex digest, the only form a blob reference may take. */
export const isSha256 = (value: unknown): value is string => typeof value === 'string' && SHA256.test(value)
