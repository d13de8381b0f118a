import path from 'node:path'
import { describeExit, startChild, type Child, type Exit } from './children.ts'

/** A sync server in its own process, started the way a user starts one. */
export interface ServerProcess {
  url: string
  pid: number
  /** Resolves when the process has exited, whoever stopped it. */
  exited: Promise<Exit>
  /** The last lines it printed, for error messages. */
  tail(): string
  /** SIGTERM: the server flushes its rooms and exits; resolves once it has. */
  stop(): Promise<Exit>
  /** SIGKILL, as a crash; resolves once it is gone. */
  kill(): Promise<void>
}

export interface ServerProcessOptions {
  /** Added to this process's environment: PORT, STRATA_DATA and the like. */
  env: Record<string, string>
  /** Called with each line the server prints, and whether it went to stderr. */
  onLine?: (line: string, stderr: boolean) => void
  /** See ChildOptions.ownGroup: for a launcher that stops its children in order. */
  ownGroup?: boolean
}

const ROOT = path.resolve(import.meta.dirname, '../..')
const LISTENING = /Strata listening on (http:\/\/\S+)/
/** Rooms flush on SIGTERM; a big room on a shared machine may need a while. */
const FLUSH_GRACE_MS = 60_000

/** Starts `node --import tsx sync-server/main.ts` and resolves with its URL once it prints that it listens. */
export const startServerProcess = async ({ env, onLine, ownGroup }: ServerProcessOptions): Promise<ServerProcess> => {
  let listening: (url: string) => void = () => undefined
  const url = new Promise<string>((resolve) => {
    listening = resolve
  })
  const child: Child = startChild(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    ownGroup,
    onLine: (line, stderr) => {
      const m = LISTENING.exec(line)
      if (m?.[1] !== undefined) listening(m[1])
      onLine?.(line, stderr)
    },
  })
  const started = await Promise.race([url, child.exited])
  if (typeof started !== 'string') throw new Error(`${describeExit('the server', started)} before it listened:\n${child.tail()}`)
  return {
    url: started, pid: child.pid, exited: child.exited, tail: child.tail,
    stop: () => child.stop('SIGTERM', FLUSH_GRACE_MS),
    kill: () => child.kill(),
  }
}
