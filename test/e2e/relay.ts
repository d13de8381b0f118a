import http from 'node:http'
import net from 'node:net'
import { once } from 'node:events'
import { tieSockets } from './proxy.ts'

/**
 * An HTTP relay to the server that holds some requests until the test lets them through.
 * It sits on the network, so it holds a request whoever makes it: the page, the service
 * worker or the engine's SharedWorker (whose fetches Playwright's `route` does not see).
 */
export interface HoldingLink {
  /** `http://127.0.0.1:PORT` of the relay: its own origin, so its own storage and workers. */
  url: string
  /** Lets every held request through, and every later one at once. */
  release: () => void
  close: () => Promise<void>
}

/** Starts a relay in front of `target` (an `http://host:port` URL) holding requests whose path matches `hold`. */
export const startHoldingLink = async (target: string, hold: RegExp): Promise<HoldingLink> => {
  const { hostname, port } = new URL(target)
  const agent = new http.Agent({ keepAlive: true })
  const open = new Set<net.Socket>()
  let release: () => void = () => undefined
  const released = new Promise<void>((resolve) => (release = resolve))

  const forward = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    // The one who asked may be gone (a reload): then nobody waits for this answer.
    if (res.destroyed) return
    const upstream = http.request({ host: hostname, port, method: req.method, path: req.url, headers: { ...req.headers, host: `${hostname}:${port}` }, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  }

  const relay = http.createServer((req, res) => {
    res.on('error', () => undefined)
    if (hold.test(new URL(req.url ?? '/', 'http://relay').pathname)) void released.then(() => forward(req, res))
    else forward(req, res)
  })
  // Websockets pass through as bytes: the same upgrade request, then a plain pipe.
  relay.on('upgrade', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const upstream = net.connect(Number(port), hostname, () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`]
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`)
      upstream.write(head)
      client.pipe(upstream).pipe(client)
    })
    tieSockets(open, client, upstream)
  })
  relay.on('connection', (socket: net.Socket) => {
    open.add(socket)
    socket.on('close', () => open.delete(socket))
  })
  relay.listen(0, '127.0.0.1')
  await once(relay, 'listening')
  const address = relay.address()
  if (address === null || typeof address === 'string') throw new Error('The relay has no TCP address')
  return {
    url: `http://127.0.0.1:${address.port}`,
    release: () => release(),
    close: async () => {
      release()
      for (const socket of open) socket.destroy()
      agent.destroy()
      relay.close()
      await once(relay, 'close')
    },
  }
}
