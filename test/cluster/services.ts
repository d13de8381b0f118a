import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startServerProcess } from '../../sync-server/cluster/serverProcess.ts'
import { startPostgres, startRedis, type Service, type ServiceOptions } from '../../sync-server/cluster/services.ts'

/** Real PostgreSQL and Redis in one fresh temp folder, for the cluster tests. */
export interface Services {
  databaseUrl: string
  redisUrl: string
  /** The PostgreSQL running now (another process after a restart, on the same port). */
  readonly pg: Service
  readonly redis: Service
  /** Stops PostgreSQL cleanly, or kills it as a crash, and starts it again on the same folder and port: the URL stays valid. */
  restartPostgres(how: 'stop' | 'kill'): Promise<void>
  /** The same for Redis, which comes back empty. */
  restartRedis(how: 'stop' | 'kill'): Promise<void>
  /** Stops both and removes the folder. */
  stop(): Promise<void>
}

const restart = async (service: Service, how: 'stop' | 'kill', start: (o: ServiceOptions) => Promise<Service>): Promise<Service> => {
  await (how === 'kill' ? service.kill() : service.stop())
  return start({ dir: service.dir, port: service.port })
}

/** Starts PostgreSQL and Redis on free ports in a fresh temp folder. */
export const startServices = async (): Promise<Services> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-services-'))
  // mkdtemp makes the folder 0700; PostgreSQL's own user (strata-pg, as we are root) must pass through it.
  fs.chmodSync(dir, 0o711)
  let pg = await startPostgres({ dir: path.join(dir, 'pg') })
  let redis = await startRedis({ dir: path.join(dir, 'redis') }).catch(async (e: unknown) => {
    await pg.stop()
    throw e
  })
  return {
    databaseUrl: pg.url,
    redisUrl: redis.url,
    get pg() { return pg },
    get redis() { return redis },
    restartPostgres: async (how) => void (pg = await restart(pg, how, startPostgres)),
    restartRedis: async (how) => void (redis = await restart(redis, how, startRedis)),
    stop: async () => {
      await Promise.all([pg.stop(), redis.stop()])
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** One real server process in cluster mode. */
export interface ClusterServer {
  url: string
  pid: number
  dataDir: string
  /** Everything it printed, stdout and stderr. */
  log: string[]
  /** Whether the process has not exited (by itself or stopped). */
  running(): boolean
  /** SIGKILL, as a crash; resolves once it is gone. */
  kill9(): Promise<void>
  /** SIGTERM: it flushes and exits; resolves once it has. */
  stop(): Promise<void>
}

export interface ClusterServerOptions {
  databaseUrl: string
  redisUrl: string
  adminToken: string
  /** Its own folder (a fresh temp folder when absent); pass a killed server's to start it again. */
  dataDir?: string
  /** Added to its environment last (`PORT` to take a given port). */
  env?: Record<string, string>
}

/** Starts `sync-server/main.ts` in its own process, on any port, pointed at the given PostgreSQL and Redis. */
export const spawnClusterServer = async (options: ClusterServerOptions): Promise<ClusterServer> => {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'strata-node-'))
  const log: string[] = []
  const server = await startServerProcess({
    env: {
      PORT: '0', STRATA_DATA: dataDir, STRATA_ADMIN_TOKEN: options.adminToken, STRATA_STATIC: path.join(dataDir, 'no-app'),
      STRATA_DATABASE_URL: options.databaseUrl, STRATA_REDIS_URL: options.redisUrl, ...options.env,
    },
    onLine: (line) => log.push(line),
  })
  let exited = false
  void server.exited.then(() => { exited = true })
  return {
    url: server.url, pid: server.pid, dataDir, log,
    running: () => !exited,
    kill9: () => server.kill(),
    stop: async () => void await server.stop(),
  }
}
