import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import { Redis } from 'ioredis'
import pg from 'pg'
import { join, leave, settle, sleep, startEditing, trackDeliveries, type CrowdRoom, type Target } from './crowd.ts'

/** What the probe is given: two servers (not the one to be killed), the room and its image, the services. */
export interface ProbeJob { urls: [string, string], room: CrowdRoom, target: Target, rate: number, databaseUrl: string, redisUrl: string }

/** What it measured, each sample as [wall-clock ms when it ended, ms it took]. */
export interface ProbeReport { cross: Array<[number, number]>, commit: Array<[number, number]>, ping: Array<[number, number]>, loopMaxMs: number }

// Two clients on two processes, in a thread of their own: their latency is the cluster's path
// without the crowd's queue (150 clients applying every edit in the main thread). Beside them, a
// PostgreSQL commit and a Redis round trip every 100 ms show what those cost under the crowd.
const job = workerData as ProbeJob
const wall = (): number => performance.timeOrigin + performance.now()
const report: ProbeReport = { cross: [], commit: [], ping: [], loopMaxMs: 0 }
const delay = monitorEventLoopDelay({ resolution: 10 })
let running = true

const every100ms = async (samples: Array<[number, number]>, probe: () => Promise<unknown>): Promise<void> => {
  while (running) {
    const start = performance.now()
    await probe()
    samples.push([wall(), performance.now() - start])
    await sleep(100)
  }
}

const main = async (): Promise<void> => {
  const leaving = { now: false }
  const probes = job.urls.map((url, i) => join(url, job.room, `Probe ${i}`, leaving))
  await settle(() => probes.every((p) => p.provider.synced), 30_000)
  const deliveries = trackDeliveries<null>(probes, (ms) => void report.cross.push([wall(), ms]))
  const editing = startEditing(probes, new Map([[job.room.id, job.target]]), job.rate, (p, label) => deliveries.sent(p, label, null))
  const db = new pg.Client({ connectionString: job.databaseUrl })
  await db.connect()
  await db.query('CREATE TABLE IF NOT EXISTS bench_commit_probe (at double precision)')
  const redis = new Redis(job.redisUrl)
  delay.enable()
  const loops = Promise.all([
    every100ms(report.commit, () => db.query('INSERT INTO bench_commit_probe VALUES ($1)', [wall()])),
    every100ms(report.ping, () => redis.ping()),
  ])
  parentPort?.postMessage('ready')
  await new Promise((resolve) => parentPort?.once('message', resolve))
  running = false
  editing.stop()
  await loops
  delay.disable()
  report.loopMaxMs = Math.max(0, delay.max / 1e6 - 10)
  leave(probes, leaving)
  await db.end()
  redis.disconnect()
  parentPort?.postMessage(report)
}

void main()
