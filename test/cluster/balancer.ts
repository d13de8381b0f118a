import net from 'node:net'

/** A TCP balancer in front of several server processes, the way users deploy them (tests and the cluster bench). */
export interface Balancer {
  /** Where clients connect: `http://127.0.0.1:<port>`. */
  url: string
  /** The backend (its URL) each accepted connection went to, in the order they came. */
  routed: string[]
  /** Which backend (its index) the connection from this local client port goes to, while it lasts. */
  backendOf(clientPort: number): number | undefined
  /**
   * From now on forwards nothing, either way, on the connections it carries and on those it
   * accepts later, and closes none: a network that drops every packet, which neither end notices at once.
   */
  stall(): void
  /** Stops accepting and cuts every connection it carries. */
  close(): Promise<void>
}

interface Backend { url: string, index: number, host: string, port: number }

/** Connects to the first of `backends` (tried in order) that accepts; null when none does. */
const connectFirst = async (backends: readonly Backend[]): Promise<{ backend: Backend, socket: net.Socket } | null> => {
  for (const backend of backends) {
    const socket = await new Promise<net.Socket | null>((resolve) => {
      const s = net.connect(backend.port, backend.host)
      s.once('connect', () => resolve(s))
      s.once('error', () => resolve(null))
    })
    if (socket !== null) return { backend, socket }
  }
  return null
}

/**
 * Starts a balancer on a free local port: each new connection goes to the next backend
 * round-robin, skipping any that refuses (a killed process's port refuses: no health checks
 * needed), and is piped both ways; when either side closes, so does the other, as a real
 * balancer drops a dead backend's clients, whose reconnects land on the live ones.
 * `onRoute` hears each route as it is made and, with `undefined`, as it ends.
 */
export const startBalancer = async (urls: readonly string[], onRoute?: (clientPort: number, backend: number | undefined) => void): Promise<Balancer> => {
  const backends = urls.map((url, index): Backend => {
    const u = new URL(url)
    return { url, index, host: u.hostname, port: Number(u.port) }
  })
  const routed: string[] = []
  const routes = new Map<number, number>()
  const open = new Set<net.Socket>()
  const piped = new Set<{ client: net.Socket, socket: net.Socket }>()
  let stalled = false
  let next = 0
  const track = (s: net.Socket): void => {
    s.setNoDelay(true)
    open.add(s)
    s.once('close', () => open.delete(s))
  }
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    track(client)
    client.on('error', () => client.destroy())
    // Accepted and left paused: what it sends is never read.
    if (stalled) return
    const start = next++ % backends.length
    void connectFirst([...backends.slice(start), ...backends.slice(0, start)]).then((found) => {
      const clientPort = client.remotePort
      if (found === null || client.destroyed || clientPort === undefined) {
        found?.socket.destroy()
        return void client.destroy()
      }
      const { backend, socket } = found
      track(socket)
      routed.push(backend.url)
      routes.set(clientPort, backend.index)
      onRoute?.(clientPort, backend.index)
      socket.on('error', () => socket.destroy())
      socket.once('close', () => client.destroy())
      client.once('close', () => {
        routes.delete(clientPort)
        onRoute?.(clientPort, undefined)
        socket.destroy()
      })
      if (stalled) return
      const pair = { client, socket }
      piped.add(pair)
      socket.once('close', () => piped.delete(pair))
      client.pipe(socket)
      socket.pipe(client)
      client.resume()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    backendOf: (clientPort) => routes.get(clientPort),
    stall: () => {
      stalled = true
      for (const { client, socket } of piped) {
        client.unpipe(socket)
        socket.unpipe(client)
        client.pause()
        socket.pause()
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      for (const s of open) s.destroy()
    }),
  }
}
