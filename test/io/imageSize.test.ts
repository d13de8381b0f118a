import { describe, expect, it } from 'vitest'
import { imageInfo } from '../../src/io/index.ts'

const bytes = (...parts: Array<number[] | string>): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)))
const be32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
const le16 = (n: number): number[] => [n & 255, n >>> 8]
const le32 = (n: number): number[] => [...le16(n & 0xffff), ...le16(n >>> 16)]

describe('imageInfo', () => {
  it('reads PNG, JPEG, GIF, WebP and BMP headers', () => {
    expect(imageInfo(bytes([0x89], 'PNG\r\n\x1a\n', be32(13), 'IHDR', be32(1920), be32(1080), [8, 6, 0, 0, 0]))).toEqual({ mime: 'image/png', width: 1920, height: 1080 })
    // SOI, an APP0 segment of 16 bytes, then SOF0 with height 480 and width 640.
    const jpeg = bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], 'JFIF\0', new Array(9).fill(0), [0xff, 0xc0, 0, 17, 8, 1, 224, 2, 128, 3], new Array(12).fill(0))
    expect(imageInfo(jpeg)).toEqual({ mime: 'image/jpeg', width: 640, height: 480 })
    expect(imageInfo(bytes('GIF89a', le16(32), le16(16), [0, 0, 0]))).toEqual({ mime: 'image/gif', width: 32, height: 16 })
    expect(imageInfo(bytes('RIFF', le32(30), 'WEBPVP8X', le32(10), [0, 0, 0, 0], [0x7f, 0x02, 0x00], [0xdf, 0x01, 0x00]))).toEqual({ mime: 'image/webp', width: 640, height: 480 })
    expect(imageInfo(bytes('BM', new Array(16).fill(0), le32(7), le32(-5 >>> 0)))).toEqual({ mime: 'image/bmp', width: 7, height: 5 })
  })

  it('answers null for files that are not images', () => {
    expect(imageInfo(bytes('{"images": []}'))).toBeNull()
    expect(imageInfo(new Uint8Array(0))).toBeNull()
    expect(imageInfo(bytes([0xff, 0xd8, 0xff]))).toBeNull()
  })
})
