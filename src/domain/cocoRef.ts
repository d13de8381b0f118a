import type * as Y from 'yjs'
import { ValidationError } from './errors.ts'
import { type BBox, write } from './project.ts'
import { type Rule, jsonText, text } from './rules.ts'

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
const isBox = (v: unknown): boolean => Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n))

/** The fields a record keeps from its COCO file, as JSON text (the project's `meta.coco`, a record's `extra`). */
export const COCO_EXTRA = jsonText(MAX_EXTRA)

/** The rule of a record's `coco` field (absent is fine); `kind` says which record holds it. */
export const cocoRule = (kind: 'item' | 'class' | 'label'): Rule => (v) => {
  if (v === undefined) return null
  if (!isObject(v) || !isCocoId(v.id)) return 'has a bad COCO id'
  if (v.extra !== undefined && COCO_EXTRA(v.extra) !== null) return 'has bad extra fields'
  if (kind === 'class' && v.supercategory !== undefined && text(200)(v.supercategory) !== null) return 'has a bad supercategory'
  if (kind !== 'label') return null
  if (!isBox(v.bbox)) return 'has a bad bbox'
  if (v.area !== undefined && !(typeof v.area === 'number' && Number.isFinite(v.area) && v.area >= 0)) return 'has a bad area'
  if (v.crowd !== undefined && v.crowd !== true) return 'has a bad crowd flag'
  if (v.segmentation !== undefined && jsonText(MAX_SEGMENTATION)(v.segmentation) !== null) return 'has a bad segmentation'
  return null
}

/** The reference as a record field, so records without one stay as they were. */
export const withCoco = <T extends CocoRef>(coco: T | undefined): { coco?: T } => (coco === undefined ? {} : { coco })

/** Whether a label's box is still the one its COCO annotation described. */
export const sameBoxAsImported = (bbox: BBox, coco: CocoLabelRef): boolean => bbox.every((v, i) => v === coco.bbox[i])

/** Keeps a COCO file's top-level fields (info, licenses, …) with the project, once: the first import's stay. */
export const keepCocoDataset = (doc: Y.Doc, extra: Record<string, unknown>): void => {
  const json = JSON.stringify(extra)
  if (COCO_EXTRA(json) !== null) throw new ValidationError('The COCO file\'s top-level fields are too large to keep')
  write(doc, (m) => {
    if (m.meta.get('coco') === undefined) m.meta.set('coco', json)
  })
}
