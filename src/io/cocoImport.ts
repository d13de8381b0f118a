import type * as Y from 'yjs'
import {
  type Actor, type BBox, type ClassId, type CocoClassRef, type CocoLabelRef, type CocoRef, type ItemId, type ProjectJson,
  addClass, addItem, addLabel, keepCocoDataset, linkClassToCoco, linkItemToCoco, setTag,
} from '../domain/index.ts'
import type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage, Extra } from './coco.ts'
import { applyAtomically } from './atomic.ts'

/** What an import did or would do, for the person who asked for it. */
export interface ImportReport {
  classesAdded: number
  classesMatched: number
  imagesAdded: number
  imagesMatched: number
  labelsAdded: number
  /** Labels already on a matched item (same class, same box): re-importing a file adds nothing. */
  labelsAlreadyPresent: number
  tagsAdded: number
  skipped: Array<{ image: string; reason: string; labels: number }>
}

/** The writes of one COCO import, worked out against the project before anything is written. */
export interface CocoPlan {
  newClasses: Array<{ key: string; name: string; color?: string; coco: CocoClassRef }>
  existingClass: Map<string, ClassId>
  /** Existing classes and items matched by name, to be linked to the ids this file gives them. */
  classLinks: Array<{ classId: ClassId; coco: CocoClassRef }>
  newItems: Array<{ key: string; name: string; blob: string; mime: string; width: number; height: number; coco: CocoRef }>
  existingItem: Map<string, ItemId>
  itemLinks: Array<{ itemId: ItemId; coco: CocoRef }>
  labels: Array<{ image: string; category: string; bbox: BBox; coco: CocoLabelRef }>
  /** The file's top-level fields besides its lists (info, licenses, …), kept with the project. */
  dataset: Extra | undefined
  tags: Array<{ image: string; tag: string }>
  report: ImportReport
}

const extraText = (extra: Extra | undefined): { extra?: string } => (extra === undefined ? {} : { extra: JSON.stringify(extra) })

const imageRef = (image: CocoImage): CocoRef => ({ id: image.id, ...extraText(image.extra) })

const classRef = (c: CocoCategory): CocoClassRef => ({
  id: c.id, ...(c.supercategory !== undefined ? { supercategory: c.supercategory } : {}), ...extraText(c.extra),
})

const labelRef = (a: CocoAnnotation): CocoLabelRef => ({
  id: a.id,
  bbox: a.bbox,
  ...(a.areaGiven ? { area: a.area } : {}),
  ...(a.iscrowd === 1 ? { crowd: true as const } : {}),
  ...(a.segmentation !== undefined ? { segmentation: JSON.stringify(a.segmentation) } : {}),
  ...extraText(a.extra),
})

const sameBox = (a: BBox, b: BBox): boolean => a.every((v, i) => Math.abs(v - (b[i] ?? NaN)) < 1e-6)

type Match = { item: ItemId } | { add: true } | { skip: string }

/** The last part of a path: COCO files often name `a.jpg` what a folder import named `train/a.jpg`. */
const baseName = (name: string): string => name.slice(name.lastIndexOf('/') + 1)

/** Items by exact name, and by base name for names used once that way. */
export const nameIndex = (items: ReadonlyArray<{ id: ItemId; name: string }>): ((name: string) => ItemId[]) => {
  const exact = new Map<string, ItemId[]>()
  const base = new Map<string, ItemId[]>()
  for (const i of items) {
    exact.set(i.name, [...(exact.get(i.name) ?? []), i.id])
    base.set(baseName(i.name), [...(base.get(baseName(i.name)) ?? []), i.id])
  }
  return (name) => exact.get(name) ?? base.get(baseName(name)) ?? []
}

const matchImage = (image: CocoImage, project: ProjectJson, byId: Map<string, ProjectJson['items'][number]>, byName: (name: string) => ItemId[]): Match => {
  const same = image.strata_id === undefined ? undefined : byId.get(image.strata_id)
  const named = byName(image.file_name)
  const found = same ?? (named.length === 1 ? byId.get(named[0] as string) : undefined)
  if (!found && named.length > 1) return { skip: `${named.length} items are named "${image.file_name}"` }
  if (found) {
    if (found.width !== image.width || found.height !== image.height) {
      return { skip: `the item is ${found.width} x ${found.height} but the file says ${image.width} x ${image.height}` }
    }
    return { item: found.id }
  }
  if (image.sha256 !== undefined) return { add: true }
  return { skip: `no item named "${image.file_name}" in ${project.meta.name ? `"${project.meta.name}"` : 'the project'}; import the images first` }
}

const emptyReport = (): ImportReport => ({
  classesAdded: 0, classesMatched: 0, imagesAdded: 0, imagesMatched: 0, labelsAdded: 0, labelsAlreadyPresent: 0, tagsAdded: 0, skipped: [],
})

const planClasses = (plan: CocoPlan, coco: CocoDataset, project: ProjectJson): void => {
  const byId = new Map(project.classes.map((c) => [c.id as string, c.id]))
  const byName = new Map(project.classes.map((c) => [c.name, c.id]))
  const linked = new Map(project.classes.map((c) => [c.id, c.coco !== undefined]))
  for (const c of coco.categories) {
    const found = (c.strata_id === undefined ? undefined : byId.get(c.strata_id)) ?? byName.get(c.name)
    if (found) {
      plan.existingClass.set(String(c.id), found)
      // Matched by name in a foreign file: the class takes this file's id. Strata's own export names its classes.
      if (linked.get(found) === false && !byId.has(c.strata_id ?? '')) plan.classLinks.push({ classId: found, coco: classRef(c) })
      plan.report.classesMatched++
    } else {
      plan.newClasses.push({ key: String(c.id), name: c.name, ...(c.color ? { color: c.color } : {}), coco: classRef(c) })
      plan.report.classesAdded++
    }
  }
}

/** Works out what importing `coco` into `project` writes: classes by name, items by file_name, labels, tags. */
export const planCocoImport = (project: ProjectJson, coco: CocoDataset): CocoPlan => {
  const plan: CocoPlan = {
    newClasses: [], existingClass: new Map(), classLinks: [], newItems: [], existingItem: new Map(), itemLinks: [], labels: [], tags: [],
    dataset: coco.extra, report: emptyReport(),
  }
  planClasses(plan, coco, project)
  const items = new Map(project.items.map((i) => [i.id as string, i]))
  const byName = nameIndex(project.items)
  const annotations = new Map<string, CocoDataset['annotations']>()
  for (const a of coco.annotations) {
    const key = String(a.image_id)
    const list = annotations.get(key)
    if (list) list.push(a)
    else annotations.set(key, [a])
  }
  for (const image of coco.images) {
    const key = String(image.id)
    const mine = annotations.get(key) ?? []
    const match = matchImage(image, project, items, byName)
    if ('skip' in match) {
      plan.report.skipped.push({ image: image.file_name, reason: match.skip, labels: mine.length })
      continue
    }
    const existing = 'item' in match ? items.get(match.item) : undefined
    if (existing) {
      plan.existingItem.set(key, existing.id)
      if (existing.coco === undefined && !items.has(image.strata_id ?? '')) plan.itemLinks.push({ itemId: existing.id, coco: imageRef(image) })
      plan.report.imagesMatched++
    } else {
      plan.newItems.push({ key, name: image.file_name, blob: image.sha256 as string, mime: image.mime ?? 'image/jpeg', width: image.width, height: image.height, coco: imageRef(image) })
      plan.report.imagesAdded++
    }
    for (const a of mine) {
      const classId = plan.existingClass.get(String(a.category_id))
      const present = existing?.labels.some((l) => l.classId === classId && sameBox(l.bbox, a.bbox))
      if (present) plan.report.labelsAlreadyPresent++
      else plan.labels.push({ image: key, category: String(a.category_id), bbox: a.bbox, coco: labelRef(a) })
    }
    for (const tag of new Set(image.tags ?? [])) if (!existing?.tags.includes(tag)) plan.tags.push({ image: key, tag })
  }
  plan.report.labelsAdded = plan.labels.length
  plan.report.tagsAdded = plan.tags.length
  return plan
}

/** Applies a plan in one IMPORT transaction; if any write is refused, the import is rolled back whole. */
export const applyCocoImport = (doc: Y.Doc, plan: CocoPlan, by: Actor): ImportReport => {
  applyAtomically(doc, () => {
    if (plan.dataset !== undefined) keepCocoDataset(doc, plan.dataset)
    const classOf = new Map(plan.existingClass)
    for (const c of plan.newClasses) classOf.set(c.key, addClass(doc, { name: c.name, ...(c.color ? { color: c.color } : {}), coco: c.coco }))
    for (const l of plan.classLinks) linkClassToCoco(doc, l.classId, l.coco)
    const itemOf = new Map(plan.existingItem)
    for (const i of plan.newItems) itemOf.set(i.key, addItem(doc, { name: i.name, blob: i.blob, mime: i.mime, width: i.width, height: i.height, coco: i.coco }, by))
    for (const l of plan.itemLinks) linkItemToCoco(doc, l.itemId, l.coco)
    for (const l of plan.labels) addLabel(doc, itemOf.get(l.image) as ItemId, { classId: classOf.get(l.category) as ClassId, bbox: l.bbox, coco: l.coco }, by)
    for (const t of plan.tags) setTag(doc, itemOf.get(t.image) as ItemId, t.tag, true)
  })
  return plan.report
}

/** The report as short lines a person reads. */
export const describeReport = (r: ImportReport): string[] => {
  const lines = [
    `${r.imagesAdded} images added, ${r.imagesMatched} matched by file name, ${r.skipped.length} skipped`,
    `${r.labelsAdded} labels added${r.labelsAlreadyPresent ? `, ${r.labelsAlreadyPresent} already present` : ''}`,
    `${r.classesAdded} classes added, ${r.classesMatched} matched by name${r.tagsAdded ? `; ${r.tagsAdded} tags added` : ''}`,
  ]
  for (const s of r.skipped.slice(0, 5)) lines.push(`skipped "${s.image}" (${s.labels} labels): ${s.reason}`)
  if (r.skipped.length > 5) lines.push(`… and ${r.skipped.length - 5} more skipped`)
  return lines
}
