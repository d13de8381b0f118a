/**
 * Zip archives with "stored" (uncompressed) entries, written and read by hand: images are
 * already compressed, and a writer this small needs no dependency. The writer only makes
 * headers, so callers stream the entry bytes themselves (a Blob of parts in the browser, a
 * file stream in the CLI) and nothing holds the whole archive in memory. Zip64 records are
 * added when an archive passes 65,535 entries or 4 GiB, as a dataset of images easily does.
 */

const TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/** CRC-32 (the zip polynomial) of `bytes`, continuing from `crc` so big files can be fed in slices. */
export const crc32 = (bytes: Uint8Array, crc = 0): number => {
  let c = ~crc >>> 0
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

const MAX32 = 0xffffffff
const utf8 = new TextEncoder()

/** MS-DOS date and time, the only clock a plain zip header has. */
const dosTime = (d: Date): { time: number; date: number } => ({
  time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
  date: (Math.max(d.getFullYear(), 1980) - 1980) << 9 | ((d.getMonth() + 1) << 5) | d.getDate(),
})

interface Written { name: Uint8Array; size: number; crc: number; offset: number }

/** Builds a stored zip's headers: `entry` before each file's bytes, `finish` after the last. */
export class ZipWriter {
  #entries: Written[] = []
  #offset = 0
  #clock: { time: number; date: number }

  constructor(at = new Date()) {
    this.#clock = dosTime(at)
  }

  /** The local header for a file of `size` bytes with this CRC; write it, then exactly those bytes. */
  entry(path: string, size: number, crc: number): Uint8Array {
    // One entry over 4 GiB would need zip64 sizes in the local header too; no image is that big.
    if (size >= MAX32) throw new Error(`${path} is over 4 GiB, too big for this archive`)
    const name = utf8.encode(path)
    const h = new DataView(new ArrayBuffer(30 + name.length))
    h.setUint32(0, 0x04034b50, true)
    h.setUint16(4, 20, true)
    h.setUint16(6, 0x0800, true) // names are UTF-8
    h.setUint16(10, this.#clock.time, true)
    h.setUint16(12, this.#clock.date, true)
    h.setUint32(14, crc, true)
    h.setUint32(18, size, true)
    h.setUint32(22, size, true)
    h.setUint16(26, name.length, true)
    const out = new Uint8Array(h.buffer)
    out.set(name, 30)
    this.#entries.push({ name, size, crc, offset: this.#offset })
    this.#offset += out.length + size
    return out
  }

  /** The central directory and end records; the archive is complete after these bytes. */
  finish(): Uint8Array {
    const parts: Uint8Array[] = []
    let size = 0
    for (const e of this.#entries) {
      const far = e.offset >= MAX32
      const h = new DataView(new ArrayBuffer(46 + e.name.length + (far ? 12 : 0)))
      h.setUint32(0, 0x02014b50, true)
      h.setUint16(4, 45, true)
      h.setUint16(6, far ? 45 : 20, true)
      h.setUint16(8, 0x0800, true)
      h.setUint16(12, this.#clock.time, true)
      h.setUint16(14, this.#clock.date, true)
      h.setUint32(16, e.crc, true)
      h.setUint32(20, e.size, true)
      h.setUint32(24, e.size, true)
      h.setUint16(28, e.name.length, true)
      h.setUint16(30, far ? 12 : 0, true)
      h.setUint32(42, far ? MAX32 : e.offset, true)
      const out = new Uint8Array(h.buffer)
      out.set(e.name, 46)
      if (far) {
        // Zip64 extra field holding only the offset: the one header value that overflowed.
        const x = new DataView(h.buffer, 46 + e.name.length)
        x.setUint16(0, 1, true)
        x.setUint16(2, 8, true)
        x.setBigUint64(4, BigInt(e.offset), true)
      }
      parts.push(out)
      size += out.length
    }
    const start = this.#offset
    const count = this.#entries.length
    if (count >= 0xffff || start >= MAX32 || start + size >= MAX32) parts.push(zip64End(count, size, start))
    const end = new DataView(new ArrayBuffer(22))
    end.setUint32(0, 0x06054b50, true)
    end.setUint16(8, Math.min(count, 0xffff), true)
    end.setUint16(10, Math.min(count, 0xffff), true)
    end.setUint32(12, Math.min(size, MAX32), true)
    end.setUint32(16, Math.min(start, MAX32), true)
    parts.push(new Uint8Array(end.buffer))
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    let at = 0
    for (const p of parts) (all.set(p, at), (at += p.length))
    return all
  }
}

/** The zip64 end-of-central-directory record and its locator. */
const zip64End = (count: number, size: number, start: number): Uint8Array => {
  const v = new DataView(new ArrayBuffer(56 + 20))
  v.setUint32(0, 0x06064b50, true)
  v.setBigUint64(4, 44n, true)
  v.setUint16(12, 45, true)
  v.setUint16(14, 45, true)
  v.setBigUint64(24, BigInt(count), true)
  v.setBigUint64(32, BigInt(count), true)
  v.setBigUint64(40, BigInt(size), true)
  v.setBigUint64(48, BigInt(start), true)
  v.setUint32(56, 0x07064b50, true)
  v.setBigUint64(64, BigInt(start + size), true)
  v.setUint32(72, 1, true)
  return new Uint8Array(v.buffer)
}
