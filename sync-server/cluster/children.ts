import { spawn } from 'node:child_process'
import fs from 'node:fs'

/** How a child process ended. */
export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A child process that dies with the Node process which started it. */
export interface Child {
  pid: number
  /** Resolves when the process has exited (it never rejects). */
  exited: Promise<Exit>
  running(): boolean
  /** The last lines it printed on stdout and stderr, for error messages. */
  tail(): string
  /** Sends `signal` and waits for the exit; kill() if it has not exited after `graceMs`. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<Exit>
  /** SIGKILL to it and every process it started; resolves once they are all gone. */
  kill(): Promise<void>
}

export interface ChildOptions {
  cwd: string
  env?: NodeJS.ProcessEnv
  /** Run as this user (the caller is root); null or absent: as ourselves. */
  user?: { uid: number, gid: number } | null
  /** Called with each line the child prints, and whether it went to stderr. */
  onLine?: ((line: string, stderr: boolean) => void) | undefined
  /**
   * Its own process group, so that Ctrl+C in the terminal reaches only us and we stop our
   * children in order (servers flush before the database stops). Otherwise Ctrl+C stops the
   * child along with us, which is what a test or bench run wants: Node fires no 'exit' event
   * when SIGINT ends it, so the 'exit' listener below would not get to kill the child.
   */
  ownGroup?: boolean | undefined
}

const TAIL_LINES = 200

/** Children still running; one 'exit' listener kills them all, however many there are. */
const live = new Set<number>()
process.on('exit', () => {
  for (const pid of live) killTree(pid)
})

/** State and parent of every process, from /proc (Linux). */
const processes = (): Map<number, { state: string, parent: number }> => {
  const table = new Map<number, { state: string, parent: number }>()
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const fields = fs.readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      table.set(Number(name), { state: fields[0] ?? '', parent: Number(fields[1]) })
    } catch {
      // It exited while we looked.
    }
  }
  return table
}

/**
 * SIGKILLs `pid` and everything it started, and answers those pids. PostgreSQL's backends
 * leave its process group, so the tree is read from /proc, with the root stopped first so
 * that it forks nothing meanwhile.
 */
const killTree = (pid: number): number[] => {
  send(pid, 'SIGSTOP')
  const table = processes()
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) {
    for (const [child, { parent }] of table) if (parent === tree[i]) tree.push(child)
  }
  for (const member of tree) send(member, 'SIGKILL')
  return tree
}

const send = (pid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(pid, signal)
  } catch {
    // Already gone.
  }
}

/** Whether any of `pids` still runs; zombies do not count, as nobody may reap them. */
const anyRunning = (pids: readonly number[]): boolean => {
  const table = processes()
  return pids.some((pid) => {
    const state = table.get(pid)?.state
    return state !== undefined && state !== 'Z'
  })
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Starts `command`, its output captured; it is killed when this process exits. */
export const startChild = (command: string, args: readonly string[], options: ChildOptions): Child => {
  const child = spawn(command, args, {
    cwd: options.cwd, env: options.env ?? process.env, detached: options.ownGroup === true, stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.user == null ? {} : { uid: options.user.uid, gid: options.user.gid }),
  })
  const lines: string[] = []
  const keep = (line: string, stderr: boolean): void => {
    lines.push(line)
    if (lines.length > TAIL_LINES) lines.shift()
    options.onLine?.(line, stderr)
  }
  for (const [stream, stderr] of [[child.stdout, false], [child.stderr, true]] as const) {
    let partial = ''
    stream.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) keep(line, stderr)
    })
    stream.on('end', () => {
      if (partial !== '') keep(partial, stderr)
    })
  }
  const pid = child.pid ?? 0
  if (pid !== 0) live.add(pid)
  let done = false
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (e) => {
      keep(`${command}: ${e.message}`, true)
      if (child.pid === undefined) resolve({ code: null, signal: null })
    })
    child.once('close', (code, signal) => resolve({ code, signal }))
  }).then((exit) => {
    done = true
    live.delete(pid)
    return exit
  })
  const kill = async (): Promise<void> => {
    if (pid === 0) return
    const tree = done ? [] : killTree(pid)
    await exited
    while (anyRunning(tree)) await sleep(50)
  }
  const stop = async (signal: NodeJS.Signals, graceMs: number): Promise<Exit> => {
    if (!done) child.kill(signal)
    const timer = setTimeout(() => killTree(pid), graceMs)
    const exit = await exited
    clearTimeout(timer)
    await kill()
    return exit
  }
  return { pid, exited, running: () => !done, tail: () => lines.join('\n'), stop, kill }
}

/** `<name> exited with code 1`, or `<name> was killed by SIGKILL`. */
export const describeExit = (name: string, exit: Exit): string =>
  exit.signal === null ? `${name} exited with code ${exit.code}` : `${name} was killed by ${exit.signal}`
