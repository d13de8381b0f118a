import type { BBox } from '../domain/index.ts'
import { isObject } from './json.ts'
import { type Result, fail, listProblems, ok } from './result.ts'

/** COCO ids are integers in the wild; strings are accepted (Strata's own ids are UUIDs). */
export type CocoId = number | string

/** A record's fields that Strata does not model, kept as they came so an export gives them back. */
export type Extra = Record<string, unknown>

/**
 * One COCO image. `file_name`, `width`, `height` are COCO's; `strata_id`, `sha256`, `mime`
 * and `tags` are extra fields a Strata export writes so that the file alone rebuilds the project.
 */
export interface CocoImage {
  id: CocoId
  file_name: string
  width: number
  height: number
  strata_id?: string
  sha256?: string
  mime?: string
  tags?: string[]
  extra?: Extra
}
export interface CocoCategory {
  id: CocoId
  name: string
  supercategory?: string
  strata_id?: string
  color?: string
  extra?: Extra
}
export interface CocoAnnotation {
  id: CocoId
  image_id: CocoId
  category_id: CocoId
  bbox: BBox
  /** The file's area where it gives one (COCOeval uses it for the area ranges), else w × h. */
  area: number
  areaGiven: boolean
  iscrowd: 0 | 1
  /** Polygons or RLE, kept opaque. */
  segmentation?: unknown
  strata_id?: string
  extra?: Extra
}
/** A COCO detection ground-truth file, checked. */
export interface CocoDataset {
  info?: Record<string, unknown>
  /** Top-level fields besides images, annotations and categories (info, licenses, …). */
  extra?: Extra
  images: CocoImage[]
  annotations: CocoAnnotation[]
  categories: CocoCategory[]
}

/** Half a pixel of slack for boxes drawn to the image edge with rounding (as the domain allows). */
const EDGE = 0.5
const MAX_SIDE = 1_000_000
const MAX_NAME = 200
const SHA256 = /^[0-9a-f]{64}$/
const MIME = /^image\/[a-z0-9.+-]+$/
const COLOR = /^#[0-9a-f]{6}$/i

const isId = (v: unknown): v is CocoId => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && v !== '')
const isSide = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_SIDE
const isName = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '' && v.trim().length <= MAX_NAME
const optString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** A value as the file wrote it, for messages: a string shows its quotes. */
export const asWritten = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v))

/** The fields of `v` other than `known`, or undefined when there are none. */
const extraOf = (v: Record<string, unknown>, known: readonly string[]): Extra | undefined => {
  const rest = Object.entries(v).filter(([k]) => !known.includes(k))
  return rest.length === 0 ? undefined : Object.fromEntries(rest)
}

const IMAGE_FIELDS = ['id', 'file_name', 'width', 'height', 'strata_id', 'sha256', 'mime', 'tags'] as const
const CATEGORY_FIELDS = ['id', 'name', 'supercategory', 'strata_id', 'color'] as const
const ANNOTATION_FIELDS = ['id', 'image_id', 'category_id', 'bbox', 'area', 'iscrowd', 'segmentation', 'strata_id'] as const
const DATASET_FIELDS = ['images', 'annotations', 'categories', 'strata'] as const

// A Strata export's own note and made-up info are not the dataset's: they are not kept.
const datasetExtra = (json: Record<string, unknown>): Extra | undefined => {
  const generated = isObject(json.strata) && json.strata.info === 'generated'
  return extraOf(json, generated ? [...DATASET_FIELDS, 'info'] : DATASET_FIELDS)
}

/** A box as `[x, y, w, h]` of four finite numbers with a positive size, or null. */
export const asBBox = (v: unknown): BBox | null =>
  Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n)) && v[2] > 0 && v[3] > 0 ? (v as BBox) : null

/** True when a box lies within a `width` x `height` image (with half a pixel of slack). */
export const insideImage = ([x, y, w, h]: BBox, width: number, height: number): boolean =>
  x >= -EDGE && y >= -EDGE && x + w <= width + EDGE && y + h <= height + EDGE

/** A tag as the domain accepts it, or null. */
const asTag = (v: unknown): string | null => {
  const tag = typeof v === 'string' ? v.trim() : ''
  return tag !== '' && tag.length <= 100 && !/[\u0000-\u001f]/.test(tag) ? tag : null
}

const readImage = (v: unknown, at: string, problems: string[]): CocoImage | null => {
  if (!isObject(v)) return problems.push(`${at} is not an object`), null
  const { id, file_name, width, height } = v
  if (!isId(id)) return problems.push(`${at} has no id`), null
  if (!isName(file_name)) return problems.push(`${at} (id ${id}) needs a file_name of 1 to ${MAX_NAME} characters`), null
  if (!isSide(width) || !isSide(height)) return problems.push(`${at} (${file_name}) needs width and height in whole pixels, got ${asWritten(width)} x ${asWritten(height)}`), null
  const image: CocoImage = { id, file_name: file_name.trim(), width, height }
  const extra = extraOf(v, IMAGE_FIELDS)
  if (extra) image.extra = extra
  if (typeof v.strata_id === 'string') image.strata_id = v.strata_id
  if (v.sha256 !== undefined && !(typeof v.sha256 === 'string' && SHA256.test(v.sha256))) return problems.push(`${at} (${file_name}) has a sha256 that is not 64 lowercase hex digits`), null
  if (typeof v.sha256 === 'string') image.sha256 = v.sha256
  if (v.mime !== undefined && !(typeof v.mime === 'string' && MIME.test(v.mime))) return problems.push(`${at} (${file_name}) has mime "${String(v.mime)}", not an image type`), null
  if (typeof v.mime === 'string') image.mime = v.mime
  if (v.tags !== undefined) {
    const tags = Array.isArray(v.tags) ? v.tags.map(asTag) : [null]
    if (tags.some((t) => t === null)) return problems.push(`${at} (${file_name}) has tags that are not one-line texts of at most 100 characters`), null
    image.tags = tags as string[]
  }
  return image
}

const readCategory = (v: unknown, at: string, problems: string[]): CocoCategory | null => {
  if (!isObject(v)) return problems.push(`${at} is not an object`), null
  if (!isId(v.id)) return problems.push(`${at} has no id`), null
  if (!isName(v.name)) return problems.push(`${at} (id ${v.id}) needs a name of 1 to ${MAX_NAME} characters`), null
  const category: CocoCategory = { id: v.id, name: v.name.trim() }
  const supercategory = optString(v.supercategory)
  if (supercategory !== undefined) category.supercategory = supercategory
  const extra = extraOf(v, CATEGORY_FIELDS)
  if (extra) category.extra = extra
  if (typeof v.strata_id === 'string') category.strata_id = v.strata_id
  if (typeof v.color === 'string' && COLOR.test(v.color)) category.color = v.color
  return category
}

const readAnnotation = (v: unknown, at: string, problems: string[]): CocoAnnotation | null => {
  if (!isObject(v)) return problems.push(`${at} is not an object`), null
  if (!isId(v.id)) return problems.push(`${at} has no id`), null
  if (!isId(v.image_id) || !isId(v.category_id)) return problems.push(`${at} (id ${v.id}) needs an image_id and a category_id`), null
  const bbox = asBBox(v.bbox)
  if (!bbox) return problems.push(`${at} (id ${v.id}) needs a bbox [x, y, w, h] of finite numbers with positive width and height, got ${asWritten(v.bbox)}`), null
  const areaGiven = v.area !== undefined
  if (areaGiven && !(typeof v.area === 'number' && Number.isFinite(v.area) && v.area >= 0)) return problems.push(`${at} (id ${v.id}) has an area that is not a non-negative number, got ${asWritten(v.area)}`), null
  if (v.iscrowd !== undefined && v.iscrowd !== 0 && v.iscrowd !== 1 && typeof v.iscrowd !== 'boolean') return problems.push(`${at} (id ${v.id}) has iscrowd ${asWritten(v.iscrowd)}; it must be 0 or 1`), null
  const area = areaGiven ? (v.area as number) : bbox[2] * bbox[3]
  const annotation: CocoAnnotation = { id: v.id, image_id: v.image_id, category_id: v.category_id, bbox, area, areaGiven, iscrowd: v.iscrowd === 1 || v.iscrowd === true ? 1 : 0 }
  if (v.segmentation !== undefined) annotation.segmentation = v.segmentation
  if (typeof v.strata_id === 'string') annotation.strata_id = v.strata_id
  const extra = extraOf(v, ANNOTATION_FIELDS)
  if (extra) annotation.extra = extra
  return annotation
}

const readList = <T>(list: unknown[], name: string, read: (v: unknown, at: string, problems: string[]) => T | null, problems: string[]): T[] => {
  const out: T[] = []
  for (let i = 0; i < list.length; i++) {
    const value = read(list[i], `${name}[${i}]`, problems)
    if (value) out.push(value)
  }
  return out
}

const duplicates = (ids: CocoId[], what: string, problems: string[]): void => {
  const seen = new Set<string>()
  for (const id of ids) {
    if (seen.has(String(id))) problems.push(`two ${what} have the id ${id}`)
    seen.add(String(id))
  }
}

const checkReferences = (data: CocoDataset, problems: string[]): void => {
  const images = new Map(data.images.map((i) => [String(i.id), i]))
  const categories = new Set(data.categories.map((c) => String(c.id)))
  const names = new Map<string, CocoId>()
  for (const c of data.categories) {
    const other = names.get(c.name)
    if (other !== undefined) problems.push(`categories ${other} and ${c.id} are both named "${c.name}"`)
    names.set(c.name, c.id)
  }
  for (const a of data.annotations) {
    const image = images.get(String(a.image_id))
    if (!image) problems.push(`annotation ${a.id} names image_id ${a.image_id}, which is not in images`)
    if (!categories.has(String(a.category_id))) problems.push(`annotation ${a.id} names category_id ${a.category_id}, which is not in categories`)
    if (image && !insideImage(a.bbox, image.width, image.height)) {
      problems.push(`annotation ${a.id}: the box [${a.bbox.join(', ')}] lies outside image ${image.id} "${image.file_name}" (${image.width} x ${image.height})`)
    }
  }
}

/** Checks a parsed COCO detection file; refuses it whole, naming what is wrong, if any part is bad. */
export const parseCoco = (json: unknown, what = 'The COCO file'): Result<CocoDataset> => {
  if (Array.isArray(json)) return fail(`${what} is a list; a COCO ground-truth file is an object with images, annotations and categories (a list of predictions is imported as a run)`)
  if (!isObject(json)) return fail(`${what} is not a JSON object with images, annotations and categories`)
  const missing = (['images', 'annotations', 'categories'] as const).filter((k) => !Array.isArray(json[k]))
  if (missing.length) return fail(`${what} has no ${missing.join(', ')} list${missing.length > 1 ? 's' : ''}`)
  const problems: string[] = []
  const data: CocoDataset = {
    images: readList(json.images as unknown[], 'images', readImage, problems),
    annotations: readList(json.annotations as unknown[], 'annotations', readAnnotation, problems),
    categories: readList(json.categories as unknown[], 'categories', readCategory, problems),
  }
  if (isObject(json.info)) data.info = json.info
  const extra = datasetExtra(json)
  if (extra) data.extra = extra
  duplicates(data.images.map((i) => i.id), 'images', problems)
  duplicates(data.annotations.map((a) => a.id), 'annotations', problems)
  duplicates(data.categories.map((c) => c.id), 'categories', problems)
  if (problems.length === 0) checkReferences(data, problems)
  if (problems.length) return fail(`${what} was not imported (${problems.length} problem${problems.length > 1 ? 's' : ''}): ${listProblems(problems)}`)
  return ok(data)
}
