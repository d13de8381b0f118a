import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import * as Y from 'yjs'
import { spawnClusterServer, startServices, type ClusterServer, type Services } from '../test/cluster/services.ts'
import { startBalancer, type Balancer } from '../test/cluster/balancer.ts'
import type { ProbeJob, ProbeReport } from './clusterProbe.ts'
import {
  closesSeen, join, leave, loadText, percentile, placeTargets, presenceApplied, runCrowd, seesEveryone, settle, sleep, startEditing,
  tenths, trackDeliveries, type CrowdRoom, type Leaving, type Person, type Target,
} from './crowd.ts'
import { peakRssMB, startSampler, summary, type Sampled, type Sampling } from './sampler.ts'
import { serverCloses, spawnServer } from './serverProcess.ts'
import { ADMIN, makeRoom } from './sync.ts'

const PROCESSES = 3
const PER_PROCESS = 50
// Every edit is applied by the other 149 clients, all in this one process, which keeps up with
// about 2,000–2,500 applied edits a second (bench/sync.ts): 0.1 edits/s each is 15 edits/s and
// about 2,200 applies/s, beside ~1,500 presence renewals applied (and echoed) a second.
const RATE = 0.1
const SECONDS = 45
/** The process killed mid-run (not the first, whose first client places the image). */
const VICTIM = 1
/** Edits per second of each of the two probe clients (bench/clusterProbe.ts): about 90 samples in a run. */
const PROBE_RATE = 1

/** What a cluster run measured: the figures of its table, and what failed. */
export interface ClusterResult { title: string, figures: Record<string, number | string>, failures: string[] }

/** Where an edit was delivered, relative to the kill: `steady` before it, `failover` until every moved client synced again. */
type Phase = 'steady' | 'failover' | 'after'

interface Cluster { services: Services, servers: ClusterServer[], balancer: Balancer, logFile: string }

const postgresPid = (services: Services): number => Number(fs.readFileSync(path.join(services.pg.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0])

// Redis names itself `…redis-server 127.0.0.1:<port>` in its command line.
const redisPid = (port: number): number | undefined => fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).find((pid) => {
  try {
    return new RegExp(`redis-server 127\\.0\\.0\\.1:${port}(\\0|$)`).test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
  } catch {
    return false
  }
})

const startCluster = async (): Promise<Cluster> => {
  const services = await startServices()
  const servers: ClusterServer[] = []
  try {
    for (let i = 0; i < PROCESSES; i++) servers.push(await spawnClusterServer({ databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, adminToken: ADMIN }))
    const balancer = await startBalancer(servers.map((s) => s.url))
    return { services, servers, balancer, logFile: path.join(os.tmpdir(), `strata-bench-cluster-${Date.now()}.log`) }
  } catch (e) {
    await Promise.all(servers.map((s) => s.kill9()))
    await services.stop()
    throw e
  }
}

// The servers' logs go to a file the run names: errors and reconnect storms are findings to read.
const stopCluster = async (c: Cluster): Promise<void> => {
  await c.balancer.close()
  await Promise.all(c.servers.map((s, i) => (i === VICTIM ? undefined : s.stop())))
  fs.writeFileSync(c.logFile, c.servers.map((s, i) => s.log.map((line) => `[${'ABC'[i]}] ${line}`).join('\n')).join('\n'))
  await c.services.stop()
  for (const s of c.servers) fs.rmSync(s.dataDir, { recursive: true, force: true })
}

/** Each person's edits as the Yjs clock after each one: a peer has an edit when its state for that client reaches it. */
const missingEdits = (people: Person[], clocks: Map<number, number[]>): number => people.reduce((sum, p) => {
  const has = Y.decodeStateVector(Y.encodeStateVector(p.doc))
  return sum + [...clocks].reduce((n, [client, after]) => n + after.filter((clock) => (has.get(client) ?? 0) < clock).length, 0)
}, 0)

/** Kills the victim and answers, per client it held, the ms until that client is connected and synced again (elsewhere). */
const killOne = async (c: Cluster, people: Person[]): Promise<{ killedAt: number, victims: Person[], back: Promise<number[]> }> => {
  const victims = people.filter((p) => c.balancer.backendOf(p.localPort() ?? -1) === VICTIM)
  const killedAt = performance.now()
  const back = victims.map((p) => new Promise<number>((resolve) => {
    const synced = (is: boolean): void => {
      if (!is || p.provider.wsconnected !== true) return
      p.provider.off('sync', synced)
      resolve(performance.now() - killedAt)
    }
    p.provider.on('sync', synced)
  }))
  await c.servers[VICTIM]?.kill9()
  return { killedAt, victims, back: Promise.all(back) }
}

const samplerOf = (c: Cluster): ReturnType<typeof startSampler> => {
  const roots: Record<string, Sampled> = { postgres: { pid: postgresPid(c.services), tree: true } }
  c.servers.forEach((s, i) => (roots[`server ${'ABC'[i]}`] = { pid: s.pid }))
  const redis = redisPid(c.services.redis.port)
  if (redis !== undefined) roots.redis = { pid: redis }
  return startSampler(roots)
}

/** Latencies by phase, cross-process and same-process pairs apart (by the balancer's routes when sent and when applied). */
interface Latencies { cross: Record<Phase, number[]>, same: number[], all: number, byWindow: number[][] }

/** Latencies are also kept by 5 s window of the run, to show when the slow ones came. */
const WINDOW_MS = 5_000

const latencyFigures = (l: Latencies): Record<string, number | string> => {
  const outside = [...l.cross.steady, ...l.cross.after]
  const pq = (xs: number[]): string => `${tenths(percentile(xs, 0.5))} / ${tenths(percentile(xs, 0.99))} (${xs.length})`
  return {
    'cross-process edit-to-peer latency p50 (ms), outside the failover window': tenths(percentile(outside, 0.5)),
    'cross-process edit-to-peer latency p99 (ms), outside the failover window': tenths(percentile(outside, 0.99)),
    'cross-process p50 / p99 (ms) (deliveries): three processes, before the kill': pq(l.cross.steady),
    'cross-process p50 / p99 (ms) (deliveries): two processes, after every moved client synced': pq(l.cross.after),
    'cross-process p50 / p99 / max (ms) during the failover window': `${pq(l.cross.failover)} / ${l.cross.failover.length === 0 ? '–' : tenths(Math.max(...l.cross.failover))}`,
    'same-process p50 / p99 (ms) (deliveries), outside the failover window': pq(l.same),
    'cross-process p99 (ms) by 5 s window of the run, outside the failover window': Array.from(l.byWindow, (xs) => (xs === undefined ? '–' : Math.round(percentile(xs, 0.99)))).join(', '),
  }
}

const serverFigures = async (c: Cluster, { samples, loop, load }: Sampling): Promise<Record<string, number | string>> => {
  const f: Record<string, number | string> = {}
  for (const [i, s] of c.servers.entries()) {
    const name = `server ${'ABC'[i]}`
    const sum = summary(samples[name])
    const peak = i === VICTIM ? sum.peakRss : Math.round(peakRssMB(s.pid))
    const closes = i === VICTIM ? 'killed' : [...await serverCloses(s.url)].map(([code, n]) => `${code} × ${n}`).join(', ') || 'none'
    f[`${name}${i === VICTIM ? ' (killed)' : ''}: CPU % of a core / RSS MB median / peak RSS MB / closes it counted / log lines`] = `${sum.cpu} / ${sum.rss} / ${peak} / ${closes} / ${s.log.length}`
  }
  for (const name of ['postgres', 'redis', 'bench']) {
    const sum = summary(samples[name])
    f[`${name === 'bench' ? "all clients' process (and the balancer)" : name}: CPU % of a core / RSS MB median / largest sample`] = `${sum.cpu} / ${sum.rss} / ${sum.peakRss}`
  }
  f["all clients' event-loop delay p50 / p99 / max (ms)"] = `${loop.p50} / ${loop.p99} / ${loop.max}`
  f['load average (1 min) during the run, median / largest'] = loadText(load)
  return f
}

/** Starts the probe thread on A and C; stop() answers what it measured. */
const startProbe = async (c: Cluster, room: CrowdRoom, target: Target): Promise<{ stop(): Promise<ProbeReport> }> => {
  const job: ProbeJob = {
    urls: [c.servers[0]?.url ?? '', c.servers[2]?.url ?? ''], room, target, rate: PROBE_RATE,
    databaseUrl: c.services.databaseUrl, redisUrl: c.services.redisUrl,
  }
  const worker = new Worker(new URL('./clusterProbe.mjs', import.meta.url), { workerData: job })
  const answer = (): Promise<unknown> => new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await answer()
  return {
    stop: async () => {
      const report = answer()
      worker.postMessage('stop')
      const probed = await report as ProbeReport
      await worker.terminate()
      return probed
    },
  }
}

// Samples outside the failover window (between the kill and the last moved client's sync), by the wall clock both threads share.
const probeFigures = (r: ProbeReport, killedAt: number, recoveredAt: number): Record<string, string> => {
  const outside = (xs: Array<[number, number]>): number[] => xs.filter(([at]) => at < killedAt || at > recoveredAt).map(([, ms]) => ms)
  const pq = (xs: number[]): string => `${tenths(percentile(xs, 0.5))} / ${tenths(percentile(xs, 0.99))} / ${xs.length === 0 ? '–' : tenths(Math.max(...xs))} (${xs.length})`
  return {
    'probe (2 clients on A and C in their own thread): cross-process p50 / p99 / max (ms) (deliveries), outside the failover window': pq(outside(r.cross)),
    'PostgreSQL commit of one row, every 100 ms: p50 / p99 / max (ms) (samples), whole run': pq(r.commit.map(([, ms]) => ms)),
    'Redis PING, every 100 ms: p50 / p99 / max (ms) (samples), whole run': pq(r.ping.map(([, ms]) => ms)),
    "probe thread's longest event-loop delay (ms)": String(tenths(r.loopMaxMs)),
    "probe's 3 slowest deliveries (ms at s from the kill)": [...r.cross].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([at, ms]) => `${Math.round(ms)} at ${tenths((at - killedAt) / 1000)}`).join(', '),
    'slowest PostgreSQL commit (ms at s from the kill)': [...r.commit].sort((a, b) => b[1] - a[1]).slice(0, 1).map(([at, ms]) => `${Math.round(ms)} at ${tenths((at - killedAt) / 1000)}`).join(''),
  }
}

const runClusterCrowd = async (c: Cluster, room: CrowdRoom, rate: number, seconds: number): Promise<ClusterResult> => {
  const leaving: Leaving = { now: false }
  const people = Array.from({ length: PROCESSES * PER_PROCESS }, (_, i) => join(c.balancer.url, room, `Person ${i}`, leaving))
  const failures: string[] = []
  const joinStart = performance.now()
  if (!(await settle(() => people.every((p) => p.provider.synced), 60_000))) failures.push('not everyone synced within 60 s')
  const joinMs = performance.now() - joinStart
  const spread = [0, 1, 2].map((b) => people.filter((p) => c.balancer.backendOf(p.localPort() ?? -1) === b).length)
  const targets = await placeTargets([room], people)
  const probe = await startProbe(c, room, targets.get(room.id) as Target)

  let phase: Phase = 'steady'
  const latencies: Latencies = { cross: { steady: [], failover: [], after: [] }, same: [], all: 0, byWindow: [] }
  const deliveries = trackDeliveries<number | undefined>(people, (ms, from, to) => {
    latencies.all++
    const at = c.balancer.backendOf(to.localPort() ?? -1)
    if (from === undefined || at === undefined || phase === 'failover') return void latencies.cross.failover.push(ms)
    if (from !== at) {
      latencies.cross[phase].push(ms)
      ;(latencies.byWindow[Math.floor((performance.now() - editStart) / WINDOW_MS)] ??= []).push(ms)
    }
    else latencies.same.push(ms)
  })
  const clocks = new Map<number, number[]>()
  const sampler = samplerOf(c)
  const presenceBefore = presenceApplied(people)
  const editStart = performance.now()
  const editing = startEditing(people, targets, rate, (p, label) => {
    deliveries.sent(p, label, c.balancer.backendOf(p.localPort() ?? -1))
    const mine = clocks.get(p.doc.clientID) ?? []
    mine.push(Y.getState(p.doc.store, p.doc.clientID))
    clocks.set(p.doc.clientID, mine)
  })
  await sleep(seconds * 550)
  phase = 'failover'
  const kill = await killOne(c, people)
  const killedWall = performance.timeOrigin + kill.killedAt
  const back = await Promise.race([kill.back, sleep(60_000).then(() => null)])
  const recoveredWall = performance.timeOrigin + performance.now()
  phase = 'after'
  await sleep(Math.max(0, editStart + seconds * 1000 - performance.now()))
  editing.stop()
  const probed = await probe.stop()
  const edits = [...clocks.values()].reduce((n, xs) => n + xs.length, 0)
  const converged = await settle(() => missingEdits(people, clocks) === 0, 30_000)
  const editWall = (performance.now() - editStart) / 1000
  const presenceRate = (presenceApplied(people) - presenceBefore) / editWall
  const samples = sampler.stop()
  const presenceComplete = await settle(() => people.every((p) => seesEveryone(p, people)), 20_000)
  const missing = missingEdits(people, clocks)
  const late = join(c.balancer.url, room, 'Late joiner', leaving)
  await settle(() => late.provider.synced && missingEdits([late], clocks) === 0, 30_000)
  const lateMissing = missingEdits([late], clocks)
  const others = closesSeen(people.filter((p) => !kill.victims.includes(p)))
  const moved = kill.victims.map((p) => c.balancer.backendOf(p.localPort() ?? -1))
  const seeing = people.filter((p) => seesEveryone(p, people)).length

  if (others.closedPeople > 0) failures.push(`${others.closedPeople} clients of the live processes were closed (${others.text})`)
  if (back === null) failures.push('the killed process\'s clients were not all synced again within 60 s')
  if (!converged || missing > 0) failures.push(`${missing} edit deliveries lost (of ${edits} edits × ${people.length - 1} peers)`)
  if (lateMissing > 0) failures.push(`a client joining after the run lacks ${lateMissing} edits`)
  if (editing.skipped() > 0) failures.push(`${editing.skipped()} edits not made: the client never received the image to label`)
  if (!presenceComplete) failures.push(`only ${seeing} of ${people.length} presence lists show the whole room`)
  leave([...people, late], leaving)
  return {
    title: `three processes on PostgreSQL and Redis, ${people.length} clients in one room`,
    figures: {
      'clients (per process A / B / C when they joined), and 2 probes': `${people.length} (${spread.join(' / ')})`,
      'edits per client per second': rate,
      'everyone joined and synced (ms)': Math.round(joinMs),
      'edits made / committed per second': `${edits} / ${tenths(edits / editWall)}`,
      'updates applied by clients per second (every delivery, all pairs)': Math.round(latencies.all / editWall),
      'presence updates applied by clients per second (each echoed back)': Math.round(presenceRate),
      ...latencyFigures(latencies),
      ...probeFigures(probed, killedWall, recoveredWall),
      'lost updates (edits missing from a live client at the end)': missing,
      'edits missing from a client that joined after the run': lateMissing,
      'killed process B after (s)': tenths((kill.killedAt - editStart) / 1000),
      'its clients, and where they went (A / C)': `${kill.victims.length} (${moved.filter((b) => b === 0).length} / ${moved.filter((b) => b === 2).length})`,
      'kill to connected and synced again, median / worst (ms)': back === null ? 'not all within 60 s' : `${Math.round(percentile(back, 0.5))} / ${Math.round(Math.max(...back))}`,
      ...await serverFigures(c, samples),
      'close codes seen by clients of the live processes': others.text,
      'close codes seen by the moved clients (the kill is one each)': closesSeen(kill.victims).text,
      'reconnects of the moved clients (disconnects after the first)': kill.victims.reduce((n, p) => n + Math.max(0, p.disconnects - 1), 0),
      'presence lists showing the whole room': `${seeing} of ${people.length}`,
      'server logs': c.logFile,
    },
    failures: failures.map((f) => `cluster: ${f}`),
  }
}

/** The same crowd on one embedded process (SQLite) through the same balancer: the baseline of the ratios. */
const runBaseline = async (rate: number, seconds: number): Promise<ClusterResult> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-cluster-base-'))
  const server = await spawnServer(dataDir, ADMIN)
  const balancer = await startBalancer([server.url])
  try {
    const room = await makeRoom(server.url, 'Crowd')
    const crowd = await runCrowd({ url: balancer.url, pid: server.pid, rooms: [room], perRoom: PROCESSES * PER_PROCESS, rate, seconds })
    crowd.figures['server log lines'] = server.log.length
    return { title: `baseline: one embedded process (SQLite), ${PROCESSES * PER_PROCESS} clients in one room`, figures: crowd.figures, failures: crowd.failures.map((f) => `baseline: ${f}`) }
  } finally {
    await balancer.close()
    server.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * Issue 12's cluster bench: 150 stock clients with presence in one room, spread by a
 * round-robin balancer over three server processes on real PostgreSQL and Redis; one process
 * is killed (SIGKILL) mid-run and its clients reconnect through the balancer. Then the
 * baseline: the same crowd on one embedded process. The ratio row compares their p99.
 */
export async function benchCluster (opts: { rate?: number, seconds?: number } = {}): Promise<ClusterResult[]> {
  const rate = opts.rate ?? RATE
  const seconds = opts.seconds ?? SECONDS
  // Every provider adds a process 'exit' listener; hundreds of them are expected here, not a leak.
  process.setMaxListeners(PROCESSES * PER_PROCESS + 20)
  const baseline = await runBaseline(rate, seconds)
  const cluster = await startCluster()
  let result: ClusterResult
  try {
    const room = await makeRoom(cluster.servers[0]?.url ?? '', 'Crowd')
    result = await runClusterCrowd(cluster, room, rate, seconds)
  } finally {
    await stopCluster(cluster)
  }
  const p99 = Number(result.figures['cross-process edit-to-peer latency p99 (ms), outside the failover window'])
  const base99 = Number(baseline.figures['edit-to-peer latency p99 (ms)'])
  result.figures['cross-process p99 against the baseline\'s p99 (one process, all pairs)'] = `${Math.round((p99 / base99) * 100) / 100}x`
  result.figures['within the budget (p99 ≤ 50 ms)'] = p99 <= 50 ? 'yes' : `no (${Math.round((p99 / 50) * 10) / 10}x)`
  return [result, baseline]
}
