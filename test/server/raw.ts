import net from 'node:net'

// fetch, http.request and ws all parse and normalise a URL before sending it; these helpers
// put the request target on the wire byte for byte, so the server sees exactly what was written.

const connectTo = (base: string): net.Socket => {
  const { hostname, port } = new URL(base)
  return net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''))
}

const requestBytes = (method: string, target: string | Buffer, headers: Record<string, string>, body?: Buffer): Buffer => {
  const head = Object.entries({ Host: 'localhost', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('')
  return Buffer.concat([
    Buffer.from(`${method} `), typeof target === 'string' ? Buffer.from(target, 'latin1') : target,
    Buffer.from(` HTTP/1.1\r\n${head}\r\n`), body ?? Buffer.alloc(0),
  ])
}

const statusOf = (bytes: Buffer): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(bytes.toString('latin1'))?.[1] ?? 0)

/** One request with a raw target on its own connection; answers the status (0 if none came) and the body. */
export const rawRequest = (
  base: string, target: string | Buffer, options: { method?: string, headers?: Record<string, string>, body?: Buffer } = {},
): Promise<{ status: number, body: string }> => new Promise((resolve) => {
  const socket = connectTo(base)
  const chunks: Buffer[] = []
  socket.on('data', (d: Buffer) => chunks.push(d))
  socket.on('error', () => undefined)
  socket.on('close', () => {
    const all = Buffer.concat(chunks)
    const split = all.indexOf('\r\n\r\n')
    resolve({ status: statusOf(all), body: split < 0 ? '' : all.subarray(split + 4).toString('utf8') })
  })
  const headers = { Connection: 'close', ...(options.body ? { 'Content-Length': String(options.body.length) } : {}), ...options.headers }
  socket.write(requestBytes(options.method ?? 'GET', target, headers, options.body))
})

/**
 * A websocket upgrade with a raw target: answers the HTTP status, and for a 101 the close
 * code and reason of the server's first frame (undefined if that frame was not a close).
 */
export const rawUpgrade = (base: string, target: string | Buffer): Promise<{ status: number, code?: number, reason?: string }> =>
  new Promise((resolve) => {
    const socket = connectTo(base)
    let all = Buffer.alloc(0)
    const done = (answer: { status: number, code?: number, reason?: string }): void => {
      socket.destroy()
      resolve(answer)
    }
    socket.on('data', (d: Buffer) => {
      all = Buffer.concat([all, d])
      const split = all.indexOf('\r\n\r\n')
      if (split < 0) return
      const status = statusOf(all)
      if (status !== 101) return done({ status })
      const frame = all.subarray(split + 4)
      if (frame.length < 2) return
      if (frame[0] !== 0x88) return done({ status })
      const length = (frame[1] ?? 0) & 0x7f
      if (frame.length < 2 + length) return
      done({ status, code: frame.readUInt16BE(2), reason: frame.subarray(4, 2 + length).toString('utf8') })
    })
    socket.on('error', () => undefined)
    socket.on('close', () => resolve({ status: statusOf(all) }))
    socket.write(requestBytes('GET', target, {
      Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13',
    }))
  })
