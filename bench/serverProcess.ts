import path from 'node:path'
import { startServerProcess } from '../sync-server/cluster/serverProcess.ts'

/** A sync server in its own process, so its CPU time and memory are its own. */
export interface ServerProcess {
  url: string
  pid: number
  /** What the server printed on stderr (its log). */
  log: string[]
  stop(): void
}

/**
 * Starts the server the way a user does (`tsx sync-server/main.ts`), on any port, with the
 * defaults a user gets (no raised caps); `env` adds to the environment. A bench that crashes
 * does not leave it running.
 */
export const spawnServer = async (dataDir: string, adminToken: string, env: Record<string, string> = {}): Promise<ServerProcess> => {
  const log: string[] = []
  const server = await startServerProcess({
    env: { PORT: '0', STRATA_DATA: dataDir, STRATA_ADMIN_TOKEN: adminToken, STRATA_STATIC: path.join(dataDir, 'no-app'), ...env },
    onLine: (line, stderr) => {
      if (stderr && line !== '') log.push(line)
    },
  })
  return { url: server.url, pid: server.pid, log, stop: () => void server.kill() }
}

/** The server's own count of the connections it closed, by close code, from `/metrics`. */
export const serverCloses = async (url: string): Promise<Map<number, number>> => {
  const text = await (await fetch(`${url}/metrics`)).text()
  return new Map([...text.matchAll(/^strata_closes_total\{code="(\d+)"\} (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]))
}
