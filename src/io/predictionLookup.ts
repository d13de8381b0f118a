import type { ClassId, ClassJson, ItemJson } from '../domain/index.ts'
import type { CocoDataset } from './coco.ts'
import { nameIndex } from './cocoImport.ts'

/** What predictions are matched against: the project's items and classes (a worker gets only these). */
export interface PredictionTarget {
  items: Array<Pick<ItemJson, 'id' | 'name' | 'width' | 'height'> & { coco?: { id: number | string } }>
  classes: Array<Pick<ClassJson, 'id' | 'name'> & { coco?: { id: number | string } }>
}
export type TargetItem = PredictionTarget['items'][number]

/** How a results file's ids are read, and which ids belong to images the project does not hold. */
export interface Lookup {
  items: Map<string, TargetItem>
  classes: Map<string, ClassId>
  /** Image ids the reference file knows but the project lacks: their rows are skipped, not refused. */
  elsewhere: Set<string>
  referenceNames: Map<string, string>
}

// Ids two records share are no id at all: a row naming one is refused as unknown.
const unique = <V>(pairs: Array<[string, V]>): Map<string, V> => {
  const out = new Map<string, V>()
  const twice = new Set<string>()
  for (const [k, v] of pairs) {
    if (out.has(k)) twice.add(k)
    else out.set(k, v)
  }
  for (const k of twice) out.delete(k)
  return out
}

/**
 * How a results file's ids are read: Strata ids always; the COCO ids items and classes were
 * imported with (so a detector's output in the dataset's own ids needs nothing else); and with
 * a `reference` COCO file, its image ids by `strata_id` then `file_name`, its category ids by
 * `strata_id` then name.
 */
export const predictionLookup = (project: PredictionTarget, reference?: CocoDataset): Lookup => {
  const items = new Map<string, TargetItem>(project.items.map((i) => [i.id, i]))
  const classes = new Map<string, ClassId>(project.classes.map((c) => [c.id, c.id]))
  for (const [k, v] of unique(project.items.flatMap((i) => (i.coco ? [[String(i.coco.id), i] as [string, TargetItem]] : [])))) if (!items.has(k)) items.set(k, v)
  for (const [k, v] of unique(project.classes.flatMap((c) => (c.coco ? [[String(c.coco.id), c.id] as [string, ClassId]] : [])))) if (!classes.has(k)) classes.set(k, v)
  const elsewhere = new Set<string>()
  const referenceNames = new Map<string, string>()
  if (!reference) return { items, classes, elsewhere, referenceNames }
  const byName = nameIndex(project.items)
  for (const image of reference.images) {
    const named = byName(image.file_name)
    const found = (image.strata_id === undefined ? undefined : items.get(image.strata_id)) ?? (named.length === 1 ? items.get(named[0] as string) : undefined)
    if (found) items.set(String(image.id), found)
    else elsewhere.add(String(image.id))
  }
  const classByName = new Map(project.classes.map((c) => [c.name, c.id]))
  for (const c of reference.categories) {
    referenceNames.set(String(c.id), c.name)
    const found = (c.strata_id === undefined ? undefined : classes.get(c.strata_id)) ?? classByName.get(c.name)
    if (found) classes.set(String(c.id), found)
  }
  return { items, classes, elsewhere, referenceNames }
}
