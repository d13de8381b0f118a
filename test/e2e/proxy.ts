import net from 'node:net'
import { once } from 'node:events'

/**
 * A TCP pass-through to the server that can be cut, so one browser context is really
 * offline (the service worker's fetches fail too) while the other stays connected.
 * `context.setOffline` alone does not reach every request a service worker makes.
 */
/** Keeps two piped sockets in `open` while they live; either one's error or close ends both. */
export const tieSockets = (open: Set<net.Socket>, client: net.Socket, upstream: net.Socket): void => {
  open.add(client).add(upstream)
  const drop = (): void => {
    client.destroy()
    upstream.destroy()
    open.delete(client)
    open.delete(upstream)
  }
  client.on('error', drop).on('close', drop)
  upstream.on('error', drop).on('close', drop)
}

export interface CuttableLink {
  /** `http://127.0.0.1:PORT` of the proxy: its own origin, so its own IndexedDB and service worker. */
  url: string
  cut: () => void
  restore: () => void
  close: () => Promise<void>
}

/** Starts a proxy in front of `target` (an `http://host:port` URL). */
export const startCuttableLink = async (target: string): Promise<CuttableLink> => {
  const { hostname, port } = new URL(target)
  const open = new Set<net.Socket>()
  let up = true
  const proxy = net.createServer((client) => {
    if (!up) {
      client.destroy()
      return
    }
    const upstream = net.connect(Number(port), hostname)
    tieSockets(open, client, upstream)
    client.pipe(upstream).pipe(client)
  })
  proxy.listen(0, '127.0.0.1')
  await once(proxy, 'listening')
  const address = proxy.address()
  if (address === null || typeof address === 'string') throw new Error('The proxy has no TCP address')
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      up = false
      for (const socket of open) socket.destroy()
      open.clear()
    },
    restore: () => {
      up = true
    },
    close: async () => {
      up = false
      for (const socket of open) socket.destroy()
      proxy.close()
      await once(proxy, 'close')
    },
  }
}
