import fs from 'node:fs'
import os from 'node:os'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { median } from './stats.ts'

/** Linux clock ticks per second, as /proc/<pid>/stat counts CPU time. */
const TICKS_PER_SECOND = 100
const SAMPLE_MS = 5_000

/** The fields of /proc/<pid>/stat after the command name: [1] is the parent, [11..14] utime, stime, cutime, cstime. */
const statFields = (pid: number): string[] => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []

/** CPU seconds (user + system) the process has used, from /proc. */
export const cpuSeconds = (pid: number): number => {
  const fields = statFields(pid)
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

const statusMB = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m?.[1] ?? NaN) / 1024
}

/** Resident memory now, in MB. */
export const rssMB = (pid: number): number => statusMB(pid, 'VmRSS')

// A tree's processes share memory (PostgreSQL's shared buffers): each one's proportional share, summed, counts it once.
const pssMB = (pid: number): number => Number(/^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) / 1024

/** Peak resident memory since the process started, in MB. */
export const peakRssMB = (pid: number): number => statusMB(pid, 'VmHWM')

/** The process and every process it started that still runs (PostgreSQL forks one per connection). */
export const processTree = (root: number): number[] => {
  const parents = new Map<number, number>()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      parents.set(Number(entry), Number(statFields(Number(entry))[1]))
    } catch {
      // It exited between the listing and the read.
    }
  }
  const tree = [root]
  for (let i = 0; i < tree.length; i++) for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid)
  return tree
}

// The root's cutime and cstime hold its children that exited (PostgreSQL reaps its backends), so they count too.
const treeCpuSeconds = (tree: number[]): number => tree.reduce((sum, pid, i) => {
  const f = statFields(pid)
  return sum + (Number(f[11]) + Number(f[12]) + (i === 0 ? Number(f[13]) + Number(f[14]) : 0)) / TICKS_PER_SECOND
}, 0)

const schedule = (file: string): { ran: number, waited: number } => {
  const [ran, waited] = fs.readFileSync(file, 'utf8').split(' ').map(Number)
  return { ran: (ran ?? NaN) / 1e6, waited: (waited ?? NaN) / 1e6 }
}

/** ms the calling thread has run on a CPU and waited runnable for one (Linux's schedstat). */
export const threadScheduleMs = (): { ran: number, waited: number } => schedule('/proc/thread-self/schedstat')

// Every thread of every process in `pids`: time waiting for a CPU is what an overloaded machine adds.
const waitedMs = (pids: number[]): number => pids.reduce((sum, pid) => {
  try {
    return sum + fs.readdirSync(`/proc/${pid}/task`).reduce((n, task) => n + schedule(`/proc/${pid}/task/${task}/schedstat`).waited, 0)
  } catch {
    return sum
  }
}, 0)

/** What the sampler saw of one process (or tree): CPU as % of one core per window, time its threads waited for a CPU (same unit), RSS per sample. */
export interface Samples { cpu: number[], wait: number[], rss: number[] }

/** The median CPU, median RSS and largest RSS of a process's samples, rounded. */
export const summary = (s: Samples | undefined): { cpu: number, wait: number, rss: number, peakRss: number } => ({
  cpu: Math.round(median(s?.cpu ?? [])),
  wait: Math.round(median(s?.wait ?? [])),
  rss: Math.round(median(s?.rss ?? [])),
  peakRss: Math.round(Math.max(...(s?.rss ?? [NaN]))),
})

/** A process to sample; with `tree`, together with every process it started (PostgreSQL's backends). */
export interface Sampled { pid: number, tree?: boolean }

/** How late this process's event loop ran timers (ms): when the clients' own queue is long, latency is theirs. */
export interface LoopDelay { p50: number, p99: number, max: number }

/** A 10 ms-resolution event-loop delay histogram's figures, less the 10 ms timer it counts itself. */
export const loopDelayOf = (delay: IntervalHistogram): LoopDelay => {
  const ms = (ns: number): number => Math.max(0, Math.round(ns / 1e5 - 100) / 10)
  return { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) }
}

/** What the sampler answers: samples by name, this process's event-loop delay, and the machine's 1-minute load average at each sample. */
export interface Sampling { samples: Record<string, Samples>, loop: LoopDelay, load: number[] }

/**
 * Samples the CPU and RSS (a tree's: proportional set size) of named processes every 5 s, and
 * of this process as `bench`, with its event-loop delay and the load average. A process that has gone stops being
 * sampled. stop() answers the samples by name.
 */
export const startSampler = (roots: Record<string, Sampled>): { stop(): Sampling } => {
  const samples: Record<string, Samples> = {}
  const load: number[] = []
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  type Reading = { cpu: number, waited: number, rss: number }
  const last = new Map<string, Reading>()
  const read = (): Map<string, Reading> => {
    const now = new Map<string, Reading>()
    for (const [name, { pid, tree: whole }] of Object.entries(roots)) {
      try {
        const tree = whole === true ? processTree(pid) : [pid]
        now.set(name, { cpu: treeCpuSeconds(tree), waited: waitedMs(tree) / 1000, rss: whole === true ? tree.reduce((sum, p) => sum + pssMB(p), 0) : rssMB(pid) })
      } catch {
        // Gone (killed on purpose, or crashed: the bench reports that elsewhere).
      }
    }
    const own = process.cpuUsage()
    now.set('bench', { cpu: (own.user + own.system) / 1e6, waited: waitedMs([process.pid]) / 1000, rss: process.memoryUsage().rss / 2 ** 20 })
    return now
  }
  for (const [name, reading] of read()) last.set(name, reading)
  const percent = (seconds: number): number => (seconds / (SAMPLE_MS / 1000)) * 100
  const timer = setInterval(() => {
    load.push(os.loadavg()[0] ?? NaN)
    for (const [name, reading] of read()) {
      const before = last.get(name)
      last.set(name, reading)
      if (before === undefined) continue
      const s = samples[name] ??= { cpu: [], wait: [], rss: [] }
      s.cpu.push(percent(reading.cpu - before.cpu))
      s.wait.push(percent(reading.waited - before.waited))
      s.rss.push(reading.rss)
    }
  }, SAMPLE_MS)
  return {
    stop: () => {
      clearInterval(timer)
      delay.disable()
      return { samples, load, loop: loopDelayOf(delay) }
    },
  }
}
