/** An image's type and size read from the first bytes of its file, without decoding it. */
export interface ImageInfo {
  mime: string
  width: number
  height: number
}

const u16be = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)
const u16le = (b: Uint8Array, i: number): number => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8)
const u24le = (b: Uint8Array, i: number): number => u16le(b, i) | ((b[i + 2] ?? 0) << 16)
const u32be = (b: Uint8Array, i: number): number => u16be(b, i) * 65536 + u16be(b, i + 2)
const i32le = (b: Uint8Array, i: number): number => u16le(b, i) | (u16le(b, i + 2) << 16)
const ascii = (b: Uint8Array, i: number, n: number): string => String.fromCharCode(...b.subarray(i, i + n))

const png = (b: Uint8Array): ImageInfo | null =>
  ascii(b, 1, 3) === 'PNG' && ascii(b, 12, 4) === 'IHDR' ? { mime: 'image/png', width: u32be(b, 16), height: u32be(b, 20) } : null

const gif = (b: Uint8Array): ImageInfo | null => (ascii(b, 0, 4) === 'GIF8' ? { mime: 'image/gif', width: u16le(b, 6), height: u16le(b, 8) } : null)

const bmp = (b: Uint8Array): ImageInfo | null =>
  ascii(b, 0, 2) === 'BM' && b.length >= 26 ? { mime: 'image/bmp', width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) } : null

const webp = (b: Uint8Array): ImageInfo | null => {
  if (ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'WEBP') return null
  const chunk = ascii(b, 12, 4)
  if (chunk === 'VP8X') return { mime: 'image/webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 }
  if (chunk === 'VP8L') {
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24)
    return { mime: 'image/webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }
  }
  if (chunk === 'VP8 ') return { mime: 'image/webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff }
  return null
}

/** JPEG: walk the segments to the first start-of-frame marker, which holds the size. */
const jpeg = (b: Uint8Array): ImageInfo | null => {
  if (b[0] !== 0xff || b[1] !== 0xd8) return null
  let i = 2
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null
    const marker = b[i + 1] ?? 0
    if (marker === 0xff) {
      i++
      continue
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isFrame) return { mime: 'image/jpeg', width: u16be(b, i + 7), height: u16be(b, i + 5) }
    i += 2 + u16be(b, i + 2)
  }
  return null
}

/** The type and size of a PNG, JPEG, GIF, WebP or BMP file, or null for anything else. */
export const imageInfo = (bytes: Uint8Array): ImageInfo | null => {
  const info = png(bytes) ?? jpeg(bytes) ?? gif(bytes) ?? webp(bytes) ?? bmp(bytes)
  return info && info.width > 0 && info.height > 0 ? info : null
}
