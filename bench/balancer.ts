import net from 'node:net'

/** A TCP round-robin balancer on 127.0.0.1 in front of some server processes. */
export interface Balancer {
  url: string
  /** Which backend (its index) the connection from this client port went to, while it lasts. */
  backendOf(clientPort: number): number | undefined
  close(): Promise<void>
}

// Each connection tries the next backend in turn and skips one that refuses, as a plain TCP
// balancer in front of a cluster does; when a backend dies its connections are cut, and the
// clients' reconnects land on the live ones. No health checks: a killed process's port refuses.
/** Starts a balancer over `ports` (servers on 127.0.0.1) on a free port. */
export const startBalancer = async (ports: number[]): Promise<Balancer> => {
  const routes = new Map<number, number>()
  const sockets = new Set<net.Socket>()
  let next = 0
  const connect = (client: net.Socket, tries: number): void => {
    if (tries === ports.length || client.destroyed) return void client.destroy()
    const index = next++ % ports.length
    const backend = net.connect(ports[index] as number, '127.0.0.1')
    let piped = false
    backend.setNoDelay(true)
    backend.on('error', () => {
      if (piped) backend.destroy()
      else connect(client, tries + 1)
    })
    backend.once('connect', () => {
      const port = client.remotePort
      if (client.destroyed || port === undefined) return void backend.destroy()
      piped = true
      routes.set(port, index)
      sockets.add(backend)
      client.pipe(backend).pipe(client)
      client.once('close', () => {
        routes.delete(port)
        backend.destroy()
      })
      backend.once('close', () => {
        sockets.delete(backend)
        client.destroy()
      })
      client.resume()
    })
  }
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    client.setNoDelay(true)
    sockets.add(client)
    client.once('close', () => sockets.delete(client))
    client.on('error', () => client.destroy())
    connect(client, 0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    backendOf: (clientPort) => routes.get(clientPort),
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}
