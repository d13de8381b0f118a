import { type Result, fail, ok } from './result.ts'
import { crc32 } from './zip.ts'

/**
 * Reads a zip's stored (uncompressed) entries, as `ZipWriter` writes them, checking each
 * CRC: what the YOLO round-trip tests read back, and a start for a later YOLO import.
 * Compressed entries are refused by name rather than half read.
 */
export const readZip = (bytes: Uint8Array): Result<Map<string, Uint8Array>> => {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let end = -1
  // The end record is the last 22 bytes plus a comment of at most 65,535.
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      end = i
      break
    }
  }
  if (end < 0) return fail('not a zip archive (no end of central directory)')
  let count = v.getUint16(end + 10, true)
  let at = v.getUint32(end + 16, true)
  if (end >= 20 && v.getUint32(end - 20, true) === 0x07064b50) {
    const z = Number(v.getBigUint64(end - 12, true))
    if (v.getUint32(z, true) !== 0x06064b50) return fail('broken zip64 end record')
    count = Number(v.getBigUint64(z + 32, true))
    at = Number(v.getBigUint64(z + 48, true))
  }
  const files = new Map<string, Uint8Array>()
  const decoder = new TextDecoder()
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || v.getUint32(at, true) !== 0x02014b50) return fail(`broken central directory at entry ${n + 1}`)
    const method = v.getUint16(at + 10, true)
    const crc = v.getUint32(at + 16, true)
    let size = v.getUint32(at + 24, true)
    const nameLength = v.getUint16(at + 28, true)
    const extraLength = v.getUint16(at + 30, true)
    let offset = v.getUint32(at + 42, true)
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength))
    // Zip64 extra: 8-byte values for exactly the header fields that read 0xffffffff, in this order.
    for (let x = at + 46 + nameLength; x + 4 <= at + 46 + nameLength + extraLength; x += 4 + v.getUint16(x + 2, true)) {
      if (v.getUint16(x, true) !== 1) continue
      let y = x + 4
      if (size === 0xffffffff) (size = Number(v.getBigUint64(y, true)), (y += 16))
      if (offset === 0xffffffff) offset = Number(v.getBigUint64(y, true))
    }
    if (method !== 0) return fail(`${name} is compressed (method ${method}); only stored entries are read`)
    if (v.getUint32(offset, true) !== 0x04034b50) return fail(`broken local header of ${name}`)
    const start = offset + 30 + v.getUint16(offset + 26, true) + v.getUint16(offset + 28, true)
    const data = bytes.subarray(start, start + size)
    if (data.length !== size || crc32(data) !== crc) return fail(`${name} is damaged (CRC or size mismatch)`)
    if (!name.endsWith('/')) files.set(name, data)
    at += 46 + nameLength + extraLength + v.getUint16(at + 32, true)
  }
  return ok(files)
}
