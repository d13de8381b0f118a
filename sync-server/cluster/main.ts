import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { loadAdminToken } from '../auth.ts'
import { describeExit, type Exit } from './children.ts'
import { startServerProcess, type ServerProcess } from './serverProcess.ts'
import { startPostgres, startRedis, type Service } from './services.ts'

// `npm run cluster`: PostgreSQL, Redis and three server processes on one machine, as a
// cluster runs them, stopped in order on Ctrl+C (servers flush before the database goes).

const ROOT = path.resolve(import.meta.dirname, '../..')

const port = (value: string, name: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number, got "${value}"`)
  return n
}

const env = process.env
const dir = path.resolve(env.STRATA_DATA ?? './data', 'cluster')
const pgPort = port(env.STRATA_PG_PORT ?? '55432', 'STRATA_PG_PORT')
const redisPort = port(env.STRATA_REDIS_PORT ?? '56379', 'STRATA_REDIS_PORT')
const serverPorts = (env.STRATA_PORTS ?? '8787,8788,8789').split(',').map((p) => port(p.trim(), 'STRATA_PORTS'))

const prefixed = (name: string) => (line: string): void => console.log(`[${name}] ${line}`)

/** Builds the app the way `npm start` does, when there is no build yet. */
const buildApp = (): void => {
  if (fs.existsSync(path.join(ROOT, 'dist', 'index.html'))) return
  console.log('No build in dist/: building the app (vite build)')
  const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { cwd: ROOT, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('vite build failed')
}

const services: Service[] = []
const servers: ServerProcess[] = []
let stopping = false

/** Says loudly that a process went away on its own; nothing restarts it. */
const watch = (name: string, exited: Promise<Exit>): void => {
  void exited.then((exit) => {
    if (!stopping) console.error(`\n!!! ${describeExit(name, exit)}. It is not restarted; Ctrl+C stops the rest.\n`)
  })
}

const startServer = async (serverPort: number, n: number, admin: string, databaseUrl: string, redisUrl: string): Promise<ServerProcess> => {
  const server = await startServerProcess({
    env: {
      PORT: String(serverPort), STRATA_DATA: path.join(dir, `node-${n}`), STRATA_ADMIN_TOKEN: admin,
      STRATA_DATABASE_URL: databaseUrl, STRATA_REDIS_URL: redisUrl,
    },
    onLine: prefixed(String(serverPort)),
    ownGroup: true,
  })
  servers.push(server)
  watch(`the server on port ${serverPort}`, server.exited)
  return server
}

/** Servers first (SIGTERM: they flush into PostgreSQL), then Redis, then PostgreSQL. */
const stopAll = async (): Promise<void> => {
  stopping = true
  await Promise.all(servers.map((s) => s.stop()))
  for (const service of [...services].reverse()) await service.stop()
}

const start = async (): Promise<void> => {
  buildApp()
  fs.mkdirSync(dir, { recursive: true })
  const pg = await startPostgres({ dir: path.join(dir, 'pg'), port: pgPort, log: prefixed('postgres'), ownGroup: true })
  services.push(pg)
  watch('PostgreSQL', pg.exited)
  const redis = await startRedis({ dir: path.join(dir, 'redis'), port: redisPort, log: prefixed('redis'), ownGroup: true })
  services.push(redis)
  watch('Redis', redis.exited)
  const admin = loadAdminToken(dir, env.STRATA_ADMIN_TOKEN === '' ? undefined : env.STRATA_ADMIN_TOKEN).token
  // The first server alone, so that a first start seeds the sample project once.
  const [first, ...others] = serverPorts
  if (first === undefined) throw new Error('STRATA_PORTS names no port')
  const firstServer = await startServer(first, 1, admin, pg.url, redis.url)
  const rest = await Promise.all(others.map((p, i) => startServer(p, i + 2, admin, pg.url, redis.url)))
  console.log(`\nStrata cluster: ${[firstServer, ...rest].map((s) => s.url).join(', ')}`)
  console.log(`PostgreSQL ${pg.url.replace(/:[^:@/]*@/, ':…@')} (password in ${path.join(pg.dir, 'password')}), Redis ${redis.url}`)
  console.log(`Admin link (keep it private): ${firstServer.url}/?token=${admin}`)
  console.log('Ctrl+C stops the servers, then Redis and PostgreSQL.\n')
}

const onSignal = (signal: string): void => {
  // One Ctrl+C arrives more than once (from the terminal, and relayed by npm and tsx), and the
  // shutdown is bounded (each process gets a minute before it is killed): later signals wait for it.
  if (stopping) return
  console.log(`${signal}: stopping the servers (they flush), then Redis and PostgreSQL`)
  stopAll().then(() => process.exit(0), (e: unknown) => {
    console.error(`stopping failed: ${(e as Error).message}`)
    process.exit(1)
  })
}
process.on('SIGINT', () => onSignal('SIGINT'))
process.on('SIGTERM', () => onSignal('SIGTERM'))

try {
  await start()
} catch (e) {
  console.error(`npm run cluster: ${(e as Error).message}`)
  await stopAll()
  process.exit(1)
}
