import type { ClassId, ItemId, ProjectJson } from '../domain/index.ts'
import { inCocoOrder } from './cocoIds.ts'
import { imageExtension, uniqueStems } from './yoloNames.ts'

/** The three lists Ultralytics trains, validates and tests on. */
export type YoloSplit = 'train' | 'val' | 'test'
export const YOLO_SPLITS: readonly YoloSplit[] = ['train', 'val', 'test']

/** Which tag puts an item in which list. */
export type YoloSplitTags = Record<YoloSplit, string>
export const DEFAULT_SPLIT_TAGS: YoloSplitTags = { train: 'train', val: 'val', test: 'test' }

/** How to export: split by tags (off: every item is in train), and the version's name for the notes. */
export interface YoloOptions {
  split?: YoloSplitTags
  version?: string
}

/** An image the archive should hold: where it goes and which blob it is. */
export interface YoloImage {
  itemId: ItemId
  name: string
  path: string
  blob: string
  mime: string
  split: YoloSplit
}

/** What an export wrote and what it left out. */
export interface YoloReport {
  images: number
  labels: number
  classes: number
  perSplit: Record<YoloSplit, number>
  /** Crowd regions: YOLO has no way to mark one, and training on them as objects would be wrong. */
  crowdLeftOut: number
  /** Labels whose class was removed elsewhere: they have no index to write. */
  noClassLeftOut: number
  /** With a split: items with none of the split tags, put in train. */
  untagged: number
  /** With a split: items with several split tags, put in the most held-out one (test, then val). */
  inSeveral: number
  /** No item is in val, so data.yaml validates on train (Ultralytics needs a val list). */
  valIsTrain: boolean
}

/**
 * A YOLO export: text files, images to fetch, the report, and the notes file strata.json
 * (written last: it names the images that could not be fetched, or says none were included).
 */
export interface YoloExport {
  files: Array<{ path: string; text: string }>
  images: YoloImage[]
  report: YoloReport
  notes: (missingImages: string[] | 'not included') => { path: string; text: string }
}

/** A normalised coordinate: 8 decimals keep every box within 1e-8 of the image size; trailing zeros dropped. */
export const yoloNumber = (n: number): string => {
  const s = n.toFixed(8).replace(/\.?0+$/, '')
  return s === '-0' ? '0' : s
}

const splitOf = (tags: string[], split: YoloSplitTags | undefined, report: YoloReport): YoloSplit => {
  if (!split) return 'train'
  const hits = YOLO_SPLITS.filter((s) => tags.includes(split[s]))
  if (hits.length === 0) report.untagged++
  if (hits.length > 1) report.inSeveral++
  // Held-out lists win: an item that is also in train must not be evaluated on after training on it.
  return hits.includes('test') ? 'test' : hits.includes('val') ? 'val' : 'train'
}

/** YAML double-quoted scalars accept JSON's escapes, so any class name survives as written. */
const yamlString = (s: string): string => JSON.stringify(s)

/**
 * A project (latest, or a version opened with `openVersion`) in the Ultralytics YOLO layout:
 * `images/<split>/<stem>.<ext>`, `labels/<split>/<stem>.txt` (one line per box: class index,
 * then cx cy w h divided by the image's width and height), `train.txt` / `val.txt` / `test.txt`
 * listing `./images/...`, and `data.yaml` with the class names in index order. The index is
 * the classes' COCO id order (`inCocoOrder`), so a dataset imported from COCO keeps its
 * usual numbering. Stems come from item names made safe (`yoloNames.ts`).
 */
export const toYolo = (project: ProjectJson, options: YoloOptions = {}): YoloExport => {
  const classOrder = inCocoOrder(project.classes)
  const index = new Map<ClassId, number>(classOrder.map((id, i) => [id, i]))
  const classById = new Map(project.classes.map((c) => [c.id, c]))
  const stems = uniqueStems(project.items)
  const report: YoloReport = {
    images: project.items.length, labels: 0, classes: classOrder.length, perSplit: { train: 0, val: 0, test: 0 },
    crowdLeftOut: 0, noClassLeftOut: 0, untagged: 0, inSeveral: 0, valIsTrain: false,
  }
  const files: YoloExport['files'] = []
  const images: YoloImage[] = []
  const lists: Record<YoloSplit, string[]> = { train: [], val: [], test: [] }
  for (const item of project.items) {
    const split = splitOf(item.tags, options.split, report)
    const stem = stems.get(item.id)!
    const path = `images/${split}/${stem}.${imageExtension(item.mime, item.name)}`
    const lines: string[] = []
    for (const label of item.labels) {
      const i = index.get(label.classId)
      if (i === undefined) {
        report.noClassLeftOut++
        continue
      }
      if (label.coco?.crowd) {
        report.crowdLeftOut++
        continue
      }
      const [x, y, w, h] = label.bbox
      const W = item.width
      const H = item.height
      lines.push([String(i), yoloNumber((x + w / 2) / W), yoloNumber((y + h / 2) / H), yoloNumber(w / W), yoloNumber(h / H)].join(' '))
    }
    report.labels += lines.length
    report.perSplit[split]++
    lists[split].push(`./${path}`)
    files.push({ path: `labels/${split}/${stem}.txt`, text: lines.map((l) => `${l}\n`).join('') })
    images.push({ itemId: item.id, name: item.name, path, blob: item.blob, mime: item.mime, split })
  }
  report.valIsTrain = lists.val.length === 0
  for (const s of YOLO_SPLITS) if (s === 'train' || lists[s].length) files.push({ path: `${s}.txt`, text: lists[s].map((l) => `${l}\n`).join('') })
  const version = options.version ?? 'latest'
  const yaml = [
    `# Ultralytics YOLO dataset exported by Strata: project ${yamlString(project.meta.name)}, version ${yamlString(version)}.`,
    '# No "path" key: the lists below are relative to this file\'s folder.',
    'train: train.txt',
    report.valIsTrain ? 'val: train.txt # no item is in val; validating on train' : 'val: val.txt',
    ...(lists.test.length ? ['test: test.txt'] : []),
    `nc: ${classOrder.length}`,
    classOrder.length ? 'names:' : 'names: {}',
    ...classOrder.map((id, i) => `  ${i}: ${yamlString(classById.get(id)!.name)}`),
    '',
  ].join('\n')
  files.push({ path: 'data.yaml', text: yaml })
  const notes = (missingImages: string[] | 'not included') => ({
    path: 'strata.json',
    text: JSON.stringify({
      project: project.meta.name, version, exported: new Date().toISOString(),
      classes: classOrder.map((id, i) => ({ index: i, name: classById.get(id)!.name, strata_id: id })),
      split: options.split ?? null, report,
      images: missingImages === 'not included' ? 'not included' : 'included', missingImages: missingImages === 'not included' ? [] : missingImages,
      items: images.map((im) => ({ image: im.path, strata_id: im.itemId, name: im.name, sha256: im.blob })),
    }, null, 1) + '\n',
  })
  return { files, images, report, notes }
}

/** The report as lines a person reads after an export. */
export const describeYoloReport = (r: YoloReport, missingImages = 0): string[] => {
  const lines = [`${r.images} images (train ${r.perSplit.train}, val ${r.perSplit.val}, test ${r.perSplit.test}), ${r.labels} labels, ${r.classes} classes`]
  if (r.crowdLeftOut) lines.push(`${r.crowdLeftOut} crowd labels left out (YOLO has no crowd regions)`)
  if (r.noClassLeftOut) lines.push(`${r.noClassLeftOut} labels whose class was removed left out`)
  if (r.untagged) lines.push(`${r.untagged} items with no split tag put in train`)
  if (r.inSeveral) lines.push(`${r.inSeveral} items with several split tags put in the most held-out list (test, then val)`)
  if (r.valIsTrain) lines.push('no item is in val: data.yaml validates on train')
  if (missingImages) lines.push(`${missingImages} image files are not available and are not in the export (their labels and list entries are; see strata.json)`)
  return lines
}
