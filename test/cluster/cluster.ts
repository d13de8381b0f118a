import * as decoding from 'lib0/decoding'
import { afterAll, afterEach, beforeAll, onTestFailed } from 'vitest'
import * as Y from 'yjs'
import { Message, PERMISSION_DENIED } from '../../src/wire.ts'
import { type Client, connectClient, waitFor } from '../server/harness.ts'
import { type ClusterServer, type Services, spawnClusterServer, startServices } from './services.ts'

/** Hook and wait timeouts: real processes on a shared 2-core machine. Nothing is timed. */
export const SLOW = 240_000
/** How long a convergence may take: a lost relay is repaired by the 10 s catch-up at the latest. */
export const CONVERGE_MS = 90_000

/** A client set up as the app sets one up: stock provider, presence on, and what it saw. */
export interface AppClient extends Client {
  name: string
  /** Updates it made itself, and updates the server relayed to it, in order. */
  made: Uint8Array[]
  received: Uint8Array[]
  /** Permission-denied reasons the server sent it. */
  denied: string[]
}

/** The per-file PostgreSQL and Redis, and per-test processes, clients and clean-ups. */
export interface ClusterFixture {
  readonly services: Services
  /** Starts a server process in cluster mode; it is stopped after the test. */
  server(env?: Record<string, string>): Promise<ClusterServer>
  /** Connects an app-like client named `name`; it is destroyed after the test. */
  client(base: string, projectId: string, token: string, name: string, doc?: Y.Doc): AppClient
  /** Runs `fn` after the test, before the processes stop. */
  defer(fn: () => unknown): void
  /** A reader on a process started now, synced: what a process with only PostgreSQL to load from serves. */
  loadFresh(projectId: string, token: string): Promise<AppClient>
}

/** The admin token of every process these tests start. */
export const ADMIN = 'admin-secret'

// The stock provider logs a permission-denied reason and tells nobody: read it off the socket.
const watchDenials = (c: Client, denied: string[]): void => {
  c.provider.on('status', ({ status }: { status: string }) => {
    if (status !== 'connected') return
    c.provider.ws?.addEventListener('message', (event: MessageEvent) => {
      const d = decoding.createDecoder(new Uint8Array(event.data as ArrayBuffer))
      if (decoding.readVarUint(d) !== Message.AUTH || decoding.readVarUint(d) !== PERMISSION_DENIED) return
      denied.push(decoding.readVarString(d))
    })
  })
}

/** The names in the presence `c` sees, besides its own. */
export const peersSeen = (c: Client): string[] => [...c.provider.awareness.getStates()]
  .filter(([id]) => id !== c.doc.clientID)
  .map(([, state]) => String((state.user as { name?: unknown } | undefined)?.name))
  .sort()

/** Whether `c` shows someone named `name` viewing `viewing`. */
export const sees = (c: Client, name: string, viewing: string): boolean =>
  [...c.provider.awareness.getStates().values()].some((s) => {
    const user = s.user as { name?: unknown, viewing?: unknown } | undefined
    return user?.name === name && user.viewing === viewing
  })

/** Sets up the hooks of a cluster test file: call once at its top level. */
export const useCluster = (): ClusterFixture => {
  let services: Services | undefined
  const cleanup: Array<() => unknown> = []
  beforeAll(async () => {
    services = await startServices()
  }, SLOW)
  afterEach(async () => {
    const errors: unknown[] = []
    for (const fn of cleanup.splice(0).reverse()) await Promise.resolve().then(fn).catch((e: unknown) => errors.push(e))
    if (errors.length > 0) throw errors[0]
  }, SLOW)
  afterAll(async () => {
    await services?.stop()
  }, SLOW)
  const started = (): Services => {
    if (services === undefined) throw new Error('the services did not start')
    return services
  }
  const server: ClusterFixture['server'] = async (env = {}) => {
    const { databaseUrl, redisUrl } = started()
    const s = await spawnClusterServer({ databaseUrl, redisUrl, adminToken: ADMIN, env })
    cleanup.push(() => s.stop())
    onTestFailed(() => console.log(`server ${s.url} (pid ${s.pid}):\n${s.log.slice(-40).join('\n')}`))
    return s
  }
  const client: ClusterFixture['client'] = (base, projectId, token, name, doc) => {
    const c = connectClient(base, projectId, token, doc)
    const made: Uint8Array[] = []
    const received: Uint8Array[] = []
    const denied: string[] = []
    c.doc.on('update', (u: Uint8Array, origin: unknown) => (origin === c.provider ? received : made).push(u))
    watchDenials(c, denied)
    c.provider.awareness.setLocalStateField('user', { name, viewing: 'Latest' })
    cleanup.push(() => c.provider.destroy())
    return { ...c, name, made, received, denied }
  }
  return {
    get services () {
      return started()
    },
    server,
    client,
    defer: (fn) => void cleanup.push(fn),
    loadFresh: async (projectId, token) => {
      const reader = client((await server()).url, projectId, token, 'reader')
      await allSynced([reader], 'a fresh process loaded the project')
      return reader
    },
  }
}

/** Resolves once every client is connected and synced. */
export const allSynced = (clients: readonly Client[], what = 'clients synced'): Promise<void> =>
  waitFor(() => clients.every((c) => c.provider.wsconnected && c.provider.synced), CONVERGE_MS, what)

/** A counter or gauge (without labels) a server shows on `/metrics`. */
export const metricOf = async (server: { url: string }, name: string): Promise<number> => {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text)
  if (m?.[1] === undefined) throw new Error(`no ${name} in /metrics`)
  return Number(m[1])
}

/** A server's `strata_rooms_loaded` gauge, read from `/metrics`. */
export const roomsLoaded = (server: { url: string }): Promise<number> => metricOf(server, 'strata_rooms_loaded')

/** Whether a server process still runs and answers `/healthz`. */
export const healthy = async (server: ClusterServer): Promise<boolean> =>
  server.running() && await fetch(`${server.url}/healthz`).then((r) => r.ok, () => false)

/** Lines of a server's log that say something went wrong: an error it logged, or a crash's stack. */
export const troubleIn = (server: ClusterServer): string[] =>
  server.log.filter((line) => /error|fail|could not|cannot|skipped|uncaught|unhandled|^\s+at /i.test(line))

/** Lines of a server's log that only a crash prints: an uncaught error and its stack. */
export const crashIn = (server: ClusterServer): string[] =>
  server.log.filter((line) => /uncaught|unhandled|^\s+at /i.test(line))

/** Polls an async check until it holds. */
export const waitForAsync = async (check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> => {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
