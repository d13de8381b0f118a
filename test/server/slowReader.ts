import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'

/** A websocket client frame (binary, masked as RFC 6455 requires of clients), of any length. */
export const maskedFrame = (payload: Uint8Array, announced = payload.length): Buffer => {
  const head = announced < 126 ? Buffer.from([0x82, 0x80 | announced])
    : announced < 65536 ? Buffer.from([0x82, 0x80 | 126, announced >> 8, announced & 0xff])
      : Buffer.concat([Buffer.from([0x82, 0x80 | 127]), bigEndian64(announced)])
  const mask = randomBytes(4)
  const body = Buffer.from(payload)
  for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (mask[i % 4] ?? 0)
  return Buffer.concat([head, mask, body])
}

const bigEndian64 = (n: number): Buffer => {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

/**
 * A websocket client on a bare socket. Unless `read` is set it never reads, not even the 101:
 * the kernel's buffers fill and whatever the server sends it waits in the server. `closed`
 * resolves when the server drops the connection; `closeCode` is the code of a close frame read.
 */
export const rawClientSocket = (base: string, route: string, { read = false } = {}) => {
  const { hostname, port } = new URL(base)
  const socket = net.connect(Number(port), hostname)
  socket.on('error', () => undefined)
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  const opened = new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(`GET ${route} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
    + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
  let received = Buffer.alloc(0)
  if (read) socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])))
  else socket.pause()
  return {
    opened,
    closed,
    send: (payload: Uint8Array): boolean => socket.write(maskedFrame(payload)),
    raw: (bytes: Uint8Array): boolean => socket.write(bytes),
    closeCode: (): number | undefined => closeCodeIn(received),
    destroy: () => socket.destroy(),
  }
}

/** A client that never reads. */
export const nonReadingSocket = (base: string, route: string) => rawClientSocket(base, route)

// The code of the first close frame after the 101 response's headers (server frames are unmasked).
const closeCodeIn = (bytes: Buffer): number | undefined => {
  let at = bytes.indexOf('\r\n\r\n')
  if (at < 0) return undefined
  at += 4
  while (at + 2 <= bytes.length) {
    const op = (bytes[at] ?? 0) & 0x0f
    let len = (bytes[at + 1] ?? 0) & 0x7f
    let start = at + 2
    if (len === 126) { len = bytes.readUInt16BE(start); start += 2 } else if (len === 127) { len = Number(bytes.readBigUInt64BE(start)); start += 8 }
    if (op === 0x8) return start + 2 <= bytes.length ? bytes.readUInt16BE(start) : undefined
    at = start + len
  }
  return undefined
}

/** A process's resident memory in bytes, from /proc. */
export const rssOf = (pid: number): number => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN)
  return kb * 1024
}
