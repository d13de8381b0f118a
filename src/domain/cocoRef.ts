import type * as Y from 'yjs'
import { ValidationError } from './errors.ts'
import { type BBox, write } from './project.ts'

/**
 * Where a record came from in a COCO file: its id there, and the fields Strata does not model,
 * kept as opaque JSON text, so that exporting gives back the file that was imported.
 */
export interface CocoRef {
  id: CocoId
  /** JSON text of an object holding the record's other fields (license, coco_url, …). */
  extra?: string
}

/** COCO ids are integers in practice; strings are kept as they came. */
export type CocoId = number | string

/** A category's origin, with its supercategory. */
export interface CocoClassRef extends CocoRef {
  supercategory?: string
}

/**
 * An annotation's origin. `area` and `segmentation` describe the box as imported, so they are
 * written back only while the box is unchanged; `crowd` marks a COCO crowd region, which
 * evaluation ignores as COCOeval does.
 */
export interface CocoLabelRef extends CocoRef {
  bbox: BBox
  area?: number
  crowd?: true
  /** JSON text of the annotation's segmentation (polygons or RLE), kept opaque. */
  segmentation?: string
}

const MAX_EXTRA = 64 * 1024
const MAX_SEGMENTATION = 1024 * 1024

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isCocoId = (v: unknown): v is CocoId =>
  (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && v !== '' && v.length <= 100)
const isJsonText = (v: unknown, max: number): boolean => {
  if (typeof v !== 'string' || v.length > max) return false
  try {
    JSON.parse(v)
    return true
  } catch {
    return false
  }
}
const isBox = (v: unknown): boolean => Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n))

/** Why a stored COCO reference is malformed (null when fine or absent); `kind` says which record holds it. */
export const cocoRefProblem = (v: unknown, kind: 'item' | 'class' | 'label'): string | null => {
  if (v === undefined) return null
  if (!isObject(v) || !isCocoId(v.id)) return 'bad coco id'
  if (v.extra !== undefined && !isJsonText(v.extra, MAX_EXTRA)) return 'bad coco extra'
  if (kind === 'class' && v.supercategory !== undefined && !(typeof v.supercategory === 'string' && v.supercategory.length <= 200)) return 'bad coco supercategory'
  if (kind !== 'label') return null
  if (!isBox(v.bbox)) return 'bad coco bbox'
  if (v.area !== undefined && !(typeof v.area === 'number' && Number.isFinite(v.area) && v.area >= 0)) return 'bad coco area'
  if (v.crowd !== undefined && v.crowd !== true) return 'bad coco crowd'
  if (v.segmentation !== undefined && !isJsonText(v.segmentation, MAX_SEGMENTATION)) return 'bad coco segmentation'
  return null
}

/** Checks a reference passed to a domain write; answers it, or throws a ValidationError. */
export const requireCocoRef = <T extends CocoRef>(v: T | undefined, kind: 'item' | 'class' | 'label'): T | undefined => {
  const problem = cocoRefProblem(v, kind)
  if (problem !== null) throw new ValidationError(`COCO reference: ${problem}`)
  return v
}

/** The reference as a record field, so records without one stay as they were. */
export const withCoco = <T extends CocoRef>(coco: T | undefined): { coco?: T } => (coco === undefined ? {} : { coco })

/** Whether a label's box is still the one its COCO annotation described. */
export const sameBoxAsImported = (bbox: BBox, coco: CocoLabelRef): boolean => bbox.every((v, i) => v === coco.bbox[i])

/** Keeps a COCO file's top-level fields (info, licenses, …) with the project, once: the first import's stay. */
export const keepCocoDataset = (doc: Y.Doc, extra: Record<string, unknown>): void => {
  const text = JSON.stringify(extra)
  if (cocoRefProblem({ id: 1, extra: text }, 'item') !== null) throw new ValidationError('The COCO file\'s top-level fields are too large to keep')
  write(doc, (m) => {
    if (m.meta.get('coco') === undefined) m.meta.set('coco', text)
  })
}
