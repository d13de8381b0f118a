import { type ChildProcess, spawn } from 'node:child_process'
import { access, cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import type { Role } from '../../src/wire.ts'

export type { Role } from '../../src/wire.ts'

/** The real sync server running as a child process on a free port, with its own data folder. */
export interface StrataServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  adminToken: string
  dataDir: string
  /** Everything the server printed, for failure messages. */
  log: () => string
  createProject: (name: string) => Promise<{ id: string; token: string }>
  createToken: (projectId: string, ownerToken: string, role: Role) => Promise<string>
  /** The link a person opens: `/?token=…&project=…[&version=…]`, on this server or on `base` (a proxy). */
  link: (projectId: string, token: string, options?: { version?: string; base?: string }) => string
  stop: () => Promise<void>
}

const ROOT = path.resolve(import.meta.dirname, '../..')
const LISTENING = /Strata listening on (http:\/\/[^\s]+)/

const waitForUrl = (child: ChildProcess, output: string[], timeoutMs: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The server did not start within ${timeoutMs} ms:\n${output.join('')}`)), timeoutMs)
    const onData = (chunk: Buffer): void => {
      output.push(chunk.toString())
      const match = LISTENING.exec(output.join(''))
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1].replace(/\/$/, ''))
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`The server exited with code ${String(code)} before listening:\n${output.join('')}`))
    })
  })

const json = async <T>(response: Response, what: string): Promise<T> => {
  if (!response.ok) throw new Error(`${what} failed: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

/**
 * A private copy of the built app, so a rebuild while the tests run cannot pull files from
 * under them; a copy that races a rebuild (which empties `dist/` first) is tried again.
 */
const copyBuiltApp = async (to: string): Promise<string> => {
  const dist = path.join(ROOT, 'dist')
  for (let attempt = 1; ; attempt++) {
    try {
      await access(path.join(dist, 'index.html'))
      await rm(to, { recursive: true, force: true })
      await cp(dist, to, { recursive: true })
      await access(path.join(to, 'index.html'))
      return to
    } catch (error) {
      if (attempt >= 20) throw new Error(`No built app in ${dist}: run \`npx vite build\` before the browser tests (${String(error)})`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }
}

/** Starts `sync-server/main.ts` with PORT=0, a fresh temp STRATA_DATA, a copy of `dist/` and a known admin token. */
export const startServer = async (env: Record<string, string> = {}): Promise<StrataServer> => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'strata-e2e-'))
  const staticDir = await copyBuiltApp(path.join(dataDir, 'app'))
  const adminToken = `admin-${crypto.randomUUID()}`
  const output: string[] = []
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STRATA_DATA: dataDir, STRATA_ADMIN_TOKEN: adminToken, STRATA_STATIC: staticDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.on('error', (error) => output.push(String(error)))
  const url = await waitForUrl(child, output, 30_000)
  const post = (route: string, bearer: string, body: unknown): Promise<Response> =>
    fetch(`${url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })

  return {
    url,
    adminToken,
    dataDir,
    log: () => output.join(''),
    createProject: async (name) => json(await post('/api/projects', adminToken, { name }), `Creating project "${name}"`),
    createToken: async (projectId, ownerToken, role) =>
      (await json<{ token: string }>(await post(`/api/projects/${projectId}/tokens`, ownerToken, { role }), `Creating a ${role} token`)).token,
    link: (projectId, token, options = {}) => {
      const params = new URLSearchParams({ token, project: projectId })
      if (options.version) params.set('version', options.version)
      return `${options.base ?? url}/?${params.toString()}`
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await once(child, 'exit')
        clearTimeout(killer)
      }
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
