/**
 * File names for a YOLO export. Item names are user data (`a/../../etc/x.png`, `CON`, two
 * items called `a.png` and `A.png`), so they never become paths as written: each is flattened
 * to one safe file-name stem, unique ignoring case (Windows and macOS folders ignore case).
 */

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/bmp': 'bmp', 'image/tiff': 'tif',
}

/** The file extension for an image: from its type, which is what the bytes are; else from its name; else `img`. */
export const imageExtension = (mime: string, name: string): string => {
  const known = EXTENSIONS[mime.toLowerCase()]
  if (known) return known
  const m = /\.([a-z0-9]{1,5})$/i.exec(name)
  return m ? m[1]!.toLowerCase() : 'img'
}

const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i
const MAX_STEM = 120

/** One safe stem from an item name: folders joined with `__`, the extension dropped, only [A-Za-z0-9._-]. */
export const safeStem = (name: string): string => {
  const parts = name.split(/[\\/]+/).filter((p) => p !== '' && p !== '.' && p !== '..')
  const last = parts.pop() ?? ''
  const base = last.replace(/\.[a-z0-9]{1,5}$/i, '')
  const joined = [...parts, base].join('__')
  let stem = joined.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').replace(/[. ]+$/, '').slice(0, MAX_STEM)
  if (stem === '') stem = 'image'
  return RESERVED.test(stem) ? `${stem}_` : stem
}

/**
 * A unique safe stem per item, in the order given (so the same project gives the same names
 * every time): the first item keeps its stem, a later clash gets `_2`, `_3`, … .
 */
export const uniqueStems = <K extends string>(items: ReadonlyArray<{ id: K; name: string }>): Map<K, string> => {
  const out = new Map<K, string>()
  const taken = new Set<string>()
  for (const item of items) {
    const stem = safeStem(item.name)
    let candidate = stem
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}_${n}`
    taken.add(candidate.toLowerCase())
    out.set(item.id, candidate)
  }
  return out
}
