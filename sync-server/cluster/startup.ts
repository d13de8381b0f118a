import net from 'node:net'
import type { Child } from './children.ts'

/** A service could not be found, prepared or started; the message says what to do. */
export class ServiceError extends Error {
  override name = 'ServiceError'
}

/** A port nobody listens on now, from the kernel: bind port 0 on 127.0.0.1 and let it go. */
export const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const server = net.createServer()
  server.once('error', reject)
  server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    server.close(() => typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')))
  })
})

const READY_WITHIN_MS = 30_000

/**
 * Waits until `probe` answers null (ready) rather than why not. A child that exits first, or
 * is not ready within 30 s, is a ServiceError with the end of its output; the latter is killed.
 */
export const waitReady = async (name: string, child: Child, probe: () => Promise<string | null>): Promise<void> => {
  const deadline = Date.now() + READY_WITHIN_MS
  for (;;) {
    const notYet = await probe()
    if (notYet === null) return
    if (!child.running()) throw new ServiceError(`${name} exited before it accepted connections; its output ends:\n${child.tail()}`)
    if (Date.now() > deadline) {
      await child.kill()
      throw new ServiceError(`${name} did not accept connections within ${READY_WITHIN_MS / 1000} s (${notYet}); its output ends:\n${child.tail()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
