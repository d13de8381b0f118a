import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

/** Linux clock ticks per second, as /proc/<pid>/stat counts CPU time. */
const TICKS_PER_SECOND = 100

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
 * defaults a user gets (no raised caps); `env` adds to the environment.
 */
export const spawnServer = async (dataDir: string, adminToken: string, env: Record<string, string> = {}): Promise<ServerProcess> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, PORT: '0', STRATA_DATA: dataDir, STRATA_ADMIN_TOKEN: adminToken, STRATA_STATIC: path.join(dataDir, 'no-app'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const log: string[] = []
  child.stderr?.on('data', (d: Buffer) => log.push(...d.toString().split('\n').filter(Boolean)))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /Strata listening on (http:\/\/\S+)/.exec(out)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${log.join('\n')}`)))
  })
  // A bench that crashes must not leave its server running.
  const orphaned = (): void => void child.kill('SIGKILL')
  process.once('exit', orphaned)
  return {
    url, pid: child.pid ?? 0, log,
    stop: () => {
      process.off('exit', orphaned)
      child.kill('SIGKILL')
    },
  }
}

/** CPU seconds (user + system) the process has used, from /proc. */
export const cpuSeconds = (pid: number): number => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

const statusMB = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m?.[1] ?? NaN) / 1024
}

/** Resident memory now, in MB. */
export const rssMB = (pid: number): number => statusMB(pid, 'VmRSS')

/** Peak resident memory since the process started, in MB. */
export const peakRssMB = (pid: number): number => statusMB(pid, 'VmHWM')

/** The server's own count of the connections it closed, by close code, from `/metrics`. */
export const serverCloses = async (url: string): Promise<Map<number, number>> => {
  const text = await (await fetch(`${url}/metrics`)).text()
  return new Map([...text.matchAll(/^strata_closes_total\{code="(\d+)"\} (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]))
}
