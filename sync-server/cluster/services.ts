import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import pg from 'pg'
import { startChild, type Child, type Exit } from './children.ts'
import { makeOwnDir, postgresUser, type RunAs } from './postgresUser.ts'
import { freePort, ServiceError, waitReady } from './startup.ts'

export { ServiceError } from './startup.ts'

/** Where a service keeps its files, the port it should take (else a free one), and where its output goes. */
export interface ServiceOptions {
  dir: string
  port?: number
  log?: (line: string) => void
  /** See ChildOptions.ownGroup: for a launcher that stops its children in order. */
  ownGroup?: boolean
}

/** A running service process on 127.0.0.1. */
export interface Service {
  url: string
  port: number
  dir: string
  /** Resolves when the process has exited, whoever stopped it. */
  exited: Promise<Exit>
  /** A clean shutdown; resolves once it has exited. */
  stop(): Promise<void>
  /** SIGKILL, as a crash; resolves once every process of it is gone. */
  kill(): Promise<void>
}

const ROLE = 'strata'
/** A clean PostgreSQL shutdown writes a checkpoint first; on a busy shared box that may take a while. */
const STOP_GRACE_MS = 60_000

const postgresBinaries = (): string => {
  const root = '/usr/lib/postgresql'
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres'))) : []
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  if (newest === undefined) throw new ServiceError(`PostgreSQL not found (${root}/*/bin/postgres): install Debian's postgresql (apt-get install -y postgresql)`)
  return path.join(root, newest, 'bin')
}

/** Runs a PostgreSQL tool to completion as `user`; throws with its output when it fails. */
const runTool = async (bin: string, args: string[], dir: string, user: RunAs | null): Promise<void> => {
  const child = startChild(bin, args, { cwd: dir, user })
  const exit = await child.exited
  if (exit.code !== 0) throw new ServiceError(`${path.basename(bin)} failed (${exit.code ?? exit.signal}):\n${child.tail()}`)
}

/** The password of the `strata` role, made with the cluster (initdb reads it from this file). */
const passwordOf = (dir: string, user: RunAs | null, create: boolean): string => {
  const file = path.join(dir, 'password')
  if (!create) {
    if (!fs.existsSync(file)) throw new ServiceError(`${dir} holds a PostgreSQL cluster but no password file; start from an empty folder`)
    return fs.readFileSync(file, 'utf8').trim()
  }
  const password = randomBytes(24).toString('base64url')
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 })
  if (user !== null) fs.chownSync(file, user.uid, user.gid)
  return password
}

/** Connects, runs `run`, and answers null, or why that failed. */
const tryConnect = async (url: string, run?: (client: pg.Client) => Promise<unknown>): Promise<string | null> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
    await run?.(client)
    return null
  } catch (e) {
    return (e as Error).message
  } finally {
    await client.end().catch(() => undefined)
  }
}

/**
 * Starts PostgreSQL on `dir` (`data/` is the cluster, `password` the role's password), making
 * the cluster on first use: UTF8, scram-sha-256 for every connection, role and database
 * `strata`. It listens on 127.0.0.1 only and on no unix socket. fsync and synchronous commit
 * keep their defaults (on), since durability is part of what the tests check.
 */
export const startPostgres = async ({ dir, port, log, ownGroup }: ServiceOptions): Promise<Service> => {
  const bin = postgresBinaries()
  const user = postgresUser()
  makeOwnDir(dir, user)
  const data = path.join(dir, 'data')
  const fresh = !fs.existsSync(path.join(data, 'PG_VERSION'))
  const password = passwordOf(dir, user, fresh)
  if (fresh) {
    await runTool(path.join(bin, 'initdb'), [
      '-D', data, '-U', ROLE, '--pwfile', path.join(dir, 'password'), '--auth', 'scram-sha-256', '--encoding', 'UTF8', '--no-locale',
    ], dir, user)
  }
  const at = port ?? await freePort()
  const child = startChild(path.join(bin, 'postgres'), [
    '-D', data, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${at}`, '-c', 'unix_socket_directories=',
    '-c', 'shared_buffers=16MB', '-c', 'max_connections=200',
  ], { cwd: dir, user, onLine: log, ownGroup })
  const base = `postgres://${ROLE}:${encodeURIComponent(password)}@127.0.0.1:${at}`
  // The database is made here, not by initdb, and checked on every start, so a cluster whose first start was cut short still gets it.
  await waitReady('PostgreSQL', child, () => tryConnect(`${base}/postgres`, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [ROLE])
    if (rowCount === 0) await client.query(`CREATE DATABASE ${ROLE}`)
  }))
  return handle(`${base}/${ROLE}`, at, dir, child, 'SIGINT')
}

/** SIGINT is PostgreSQL's fast shutdown, SIGTERM Redis's. */
const handle = (url: string, port: number, dir: string, child: Child, stopSignal: NodeJS.Signals): Service => ({
  url, port, dir, exited: child.exited,
  stop: async () => void await child.stop(stopSignal, STOP_GRACE_MS),
  kill: () => child.kill(),
})

const onPath = (name: string): string | undefined =>
  (process.env.PATH ?? '').split(':').concat('/usr/bin', '/usr/sbin')
    .map((folder) => path.join(folder, name))
    .find((file) => {
      try {
        fs.accessSync(file, fs.constants.X_OK)
        return true
      } catch {
        return false
      }
    })

/** Sends PING on a raw socket: answers null on +PONG, or why not. */
const ping = (port: number): Promise<string | null> => new Promise((resolve) => {
  const socket = net.connect(port, '127.0.0.1')
  const done = (why: string | null): void => {
    socket.destroy()
    resolve(why)
  }
  socket.setTimeout(5000, () => done('no answer to PING'))
  socket.once('connect', () => socket.write('PING\r\n'))
  socket.once('data', (d) => done(d.toString().startsWith('+PONG') ? null : `PING answered ${d.toString().trim()}`))
  socket.once('error', (e) => done(e.message))
})

/**
 * Starts Redis on 127.0.0.1 without persistence: PostgreSQL holds every update, Redis only
 * relays them between server processes, so a restarted Redis starts empty by design.
 */
export const startRedis = async ({ dir, port, log, ownGroup }: ServiceOptions): Promise<Service> => {
  const bin = onPath('redis-server')
  if (bin === undefined) throw new ServiceError('redis-server not found: install Debian\'s redis-server (apt-get install -y redis-server)')
  fs.mkdirSync(dir, { recursive: true })
  const at = port ?? await freePort()
  const child = startChild(bin, [
    '--port', String(at), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no',
  ], { cwd: dir, onLine: log, ownGroup })
  await waitReady('Redis', child, () => ping(at))
  return handle(`redis://127.0.0.1:${at}`, at, dir, child, 'SIGTERM')
}
