import fs from 'node:fs'
import os from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
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

/** What the sampler saw of one process (or tree): CPU as % of one core per window, RSS per sample. */
export interface Samples { cpu: number[], rss: number[] }

/** The median CPU, median RSS and largest RSS of a process's samples, rounded. */
export const summary = (s: Samples | undefined): { cpu: number, rss: number, peakRss: number } => ({
  cpu: Math.round(median(s?.cpu ?? [])),
  rss: Math.round(median(s?.rss ?? [])),
  peakRss: Math.round(Math.max(...(s?.rss ?? [NaN]))),
})

/** A process to sample; with `tree`, together with every process it started (PostgreSQL's backends). */
export interface Sampled { pid: number, tree?: boolean }

/** How late this process's event loop ran timers (ms): when the clients' own queue is long, latency is theirs. */
export interface LoopDelay { p50: number, p99: number, max: number }

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
  const last = new Map<string, number>()
  const read = (): Map<string, { cpu: number, rss: number }> => {
    const now = new Map<string, { cpu: number, rss: number }>()
    for (const [name, { pid, tree: whole }] of Object.entries(roots)) {
      try {
        const tree = whole === true ? processTree(pid) : [pid]
        now.set(name, { cpu: treeCpuSeconds(tree), rss: whole === true ? tree.reduce((sum, p) => sum + pssMB(p), 0) : rssMB(pid) })
      } catch {
        // Gone (killed on purpose, or crashed: the bench reports that elsewhere).
      }
    }
    const own = process.cpuUsage()
    now.set('bench', { cpu: (own.user + own.system) / 1e6, rss: process.memoryUsage().rss / 2 ** 20 })
    return now
  }
  for (const [name, { cpu }] of read()) last.set(name, cpu)
  const timer = setInterval(() => {
    load.push(os.loadavg()[0] ?? NaN)
    for (const [name, { cpu, rss }] of read()) {
      const before = last.get(name)
      last.set(name, cpu)
      if (before === undefined) continue
      const s = samples[name] ??= { cpu: [], rss: [] }
      s.cpu.push(((cpu - before) / (SAMPLE_MS / 1000)) * 100)
      s.rss.push(rss)
    }
  }, SAMPLE_MS)
  return {
    stop: () => {
      clearInterval(timer)
      delay.disable()
      // The histogram counts the 10 ms timer itself.
      const ms = (ns: number): number => Math.max(0, Math.round(ns / 1e5 - 100) / 10)
      return { samples, load, loop: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) } }
    },
  }
}
