import { type Result, fail, listProblems, ok } from './result.ts'

/** One box of a label file: class index, then centre and size divided by the image's size. */
export interface YoloBox {
  classIndex: number
  cx: number
  cy: number
  w: number
  h: number
}

/** What data.yaml says: class names in index order, and where each list is (relative to the dataset root). */
export interface YoloDataYaml {
  names: string[]
  lists: Partial<Record<string, string>>
}

/** An image of a list with its label file's boxes (none when the file is missing: a background image). */
export interface YoloEntry {
  image: string
  labels: string
  boxes: YoloBox[]
}

/** A parsed dataset: names in index order, and each list data.yaml names, with its images. */
export interface YoloDataset {
  names: string[]
  splits: Record<string, YoloEntry[]>
}

const IMAGE = /\.(bmp|dng|jpe?g|mpo|png|tiff?|webp|pfm|heic|gif)$/i

/** A YAML scalar as our writer and common hand-written files spell it: "double", 'single' or plain, with a trailing # comment. */
const scalar = (raw: string): string => {
  const s = raw.trim()
  if (s.startsWith('"')) {
    const end = /^"(?:[^"\\]|\\.)*"/.exec(s)
    return end ? (JSON.parse(end[0]) as string) : s
  }
  if (s.startsWith("'")) {
    const end = /^'(?:[^']|'')*'/.exec(s)
    return end ? end[0].slice(1, -1).replace(/''/g, "'") : s
  }
  return s.replace(/\s+#.*$/, '').trim()
}

/** The subset of YAML a data.yaml uses: top-level `key: value`, and `names` as a map, a block list or a flow list. */
export const parseDataYaml = (text: string): Result<YoloDataYaml> => {
  const lists: Record<string, string> = {}
  const names: string[] = []
  let inNames = false
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(#.*)?$/.test(line)) continue
    const nested = /^\s+(?:(\d+)\s*:|-)\s*(.*)$/.exec(line)
    if (inNames && nested) {
      const i = nested[1] === undefined ? names.length : Number(nested[1])
      names[i] = scalar(nested[2]!)
      continue
    }
    const top = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line)
    if (!top) return fail(`data.yaml: cannot read the line "${line}"`)
    const [, key, value] = top as unknown as [string, string, string]
    inNames = key === 'names' && scalar(value) === ''
    if (key === 'names' && /^\{\s*\}$/.test(scalar(value))) continue
    if (key === 'names' && value.trim().startsWith('[')) {
      const inner = value.trim().replace(/^\[/, '').replace(/\]\s*(#.*)?$/, '')
      for (const m of inner.matchAll(/\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]+)\s*(?:,|$)/g)) names.push(scalar(m[1]!))
    } else if (key !== 'names') lists[key] = scalar(value)
  }
  if (!/^names\s*:/m.test(text)) return fail('data.yaml has no names')
  const gaps = [...names.keys()].filter((i) => names[i] === undefined)
  if (gaps.length) return fail(`data.yaml: no name for class index ${gaps.join(', ')}`)
  return ok({ names, lists })
}

/** Reads one label file; a line that is not `class cx cy w h` within 0..1 refuses the file, naming the line. */
export const parseLabelFile = (text: string, path: string, classes: number): Result<YoloBox[]> => {
  const boxes: YoloBox[] = []
  const problems: string[] = []
  text.split(/\r?\n/).forEach((line, n) => {
    const t = line.trim().split(/\s+/).filter(Boolean)
    if (t.length === 0) return
    if (t.length !== 5) return void problems.push(`line ${n + 1} has ${t.length} values, not 5${t.length > 5 ? ' (polygons are not read)' : ''}`)
    const [c, ...rest] = t.map(Number) as [number, number, number, number, number]
    if (!Number.isInteger(c) || c < 0 || c >= classes) return void problems.push(`line ${n + 1}: class "${t[0]}" is not an index below ${classes}`)
    if (rest.some((v) => !Number.isFinite(v) || v < 0 || v > 1)) return void problems.push(`line ${n + 1}: "${t.slice(1).join(' ')}" is not four numbers from 0 to 1`)
    boxes.push({ classIndex: c, cx: rest[0], cy: rest[1], w: rest[2], h: rest[3] })
  })
  return problems.length ? fail(`${path}: ${listProblems(problems)}`) : ok(boxes)
}

/** Ultralytics' rule: the label file is the image path with its last `images/` made `labels/` and the extension `.txt`. */
export const labelPathOf = (image: string): string => {
  const at = image.lastIndexOf('images/')
  const swapped = at >= 0 && (at === 0 || image[at - 1] === '/') ? `${image.slice(0, at)}labels/${image.slice(at + 7)}` : image
  return swapped.replace(/\.[^./]+$/, '') + '.txt'
}

const clean = (p: string): string => p.replace(/^\.\//, '').replace(/\/+$/, '')

/**
 * A YOLO dataset from its files (path relative to the root → bytes or text): data.yaml, the
 * lists it names (`.txt` files of `./images/...` lines, or folders of images), and the label
 * files beside them. Anything that does not parse refuses the whole dataset.
 */
export const parseYolo = (files: ReadonlyMap<string, string | Uint8Array>): Result<YoloDataset> => {
  const decoder = new TextDecoder()
  const text = (p: string): string | undefined => {
    const f = files.get(p)
    return f === undefined ? undefined : typeof f === 'string' ? f : decoder.decode(f)
  }
  const yamlText = text('data.yaml')
  if (yamlText === undefined) return fail('no data.yaml at the root')
  const yaml = parseDataYaml(yamlText)
  if (!yaml.ok) return yaml
  const splits: Record<string, YoloEntry[]> = {}
  const problems: string[] = []
  for (const key of ['train', 'val', 'test']) {
    const where = yaml.value.lists[key]
    if (!where) continue
    const target = clean(where)
    const listed = text(target)
    const images = target.endsWith('.txt')
      ? (listed ?? '').split(/\r?\n/).map((l) => clean(l.trim())).filter(Boolean)
      : [...files.keys()].filter((p) => p.startsWith(`${target}/`) && IMAGE.test(p)).sort()
    if (target.endsWith('.txt') && listed === undefined) problems.push(`data.yaml names ${key}: ${where}, which is not in the dataset`)
    splits[key] = images.map((image) => {
      const labels = labelPathOf(image)
      const body = text(labels)
      const boxes = body === undefined ? ok<YoloBox[]>([]) : parseLabelFile(body, labels, yaml.value.names.length)
      if (!boxes.ok) problems.push(boxes.error)
      return { image, labels, boxes: boxes.ok ? boxes.value : [] }
    })
  }
  if (problems.length) return fail(listProblems(problems))
  return ok({ names: yaml.value.names, splits })
}
