import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { spawnClusterServer, startServices, type ClusterServer, type Services } from '../test/cluster/services.ts'
import { startBalancer, type Balancer } from '../test/cluster/balancer.ts'
import { latencyFigures, probeFigures, threadFigures, type Moments } from './clusterFigures.ts'
import type { ProbeJob, ProbeReport } from './clusterProbe.ts'
import { closesSeen, join, leave, loadText, missingEdits, percentile, settle, sleep, tenths, type CrowdRoom, type Target } from './crowd.ts'
import type { AppliedEdit, Edited, Ending } from './crowdThread.ts'
import { clocksOf, deliveriesOf, joinCrowd, routeTable, type Crowd } from './crowdThreads.ts'
import { peakRssMB, startSampler, summary, type Sampled, type Sampling } from './sampler.ts'
import { serverCloses, spawnServer } from './serverProcess.ts'
import { ADMIN, makeRoom } from './sync.ts'

const PROCESSES = 3
const PER_PROCESS = 50
// Every edit is applied by the other 149 clients: 0.1 edits/s each is 15 edits/s and about 2,200
// applies/s, beside ~1,500 presence renewals applied (and echoed) a second. In one thread that
// was the limit (about 2,000–2,500 applies/s, bench/sync.ts), so the crowd is spread over threads.
const RATE = 0.1
const SECONDS = 45
/**
 * People join over this many seconds, as a team arrives, rather than all at once: each one's
 * presence renews every 15 s from its own start, so a crowd that joined within 2 s renews in
 * one wave (150 renewals relayed to 149 peers and echoed by each), which no team of people does
 * (`--join-seconds 0` measures that wave).
 */
const JOIN_SECONDS = 15

/** How the crowd is run: edits per second per person, for how long, over how many threads, joining over how long. */
interface CrowdShape { rate: number, seconds: number, threads: number, joinSeconds: number }
/** Crowd threads (`--threads`), 50 clients each: on the loaded 2-core box 6 threads made every hop wait longer for a CPU (BENCHMARKS.md, issue 12). */
const THREADS = 3
/** The process killed mid-run (not the first, whose first client places the image). */
const VICTIM = 1
/** Edits per second of each of the two probe clients (bench/clusterProbe.ts): about 90 samples in a run. */
const PROBE_RATE = 1
/** Time for every thread to hear when the crowd starts editing. */
const START_MS = 500

const wall = (): number => performance.timeOrigin + performance.now()

/** What a cluster run measured: the figures of its table, and what failed. */
export interface ClusterResult { title: string, figures: Record<string, number | string>, failures: string[] }

interface Cluster { services: Services, servers: ClusterServer[], balancer: Balancer, routes: SharedArrayBuffer, logFile: string }

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
    const routes = routeTable()
    const balancer = await startBalancer(servers.map((s) => s.url), routes.onRoute)
    return { services, servers, balancer, routes: routes.buffer, logFile: path.join(os.tmpdir(), `strata-bench-cluster-${Date.now()}.log`) }
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

/** Marks who is on the victim, then kills it: the wall-clock ms of the kill and, per client it held, when it was synced again. */
const killOne = async (c: Cluster, crowd: Crowd): Promise<{ killedAt: number, victims: number, back: Promise<number[]> }> => {
  const { victims, back } = await crowd.arm(VICTIM)
  const killedAt = wall()
  await c.servers[VICTIM]?.kill9()
  return { killedAt, victims, back }
}
const samplerOf = (c: Cluster): ReturnType<typeof startSampler> => {
  const roots: Record<string, Sampled> = { postgres: { pid: postgresPid(c.services), tree: true } }
  c.servers.forEach((s, i) => (roots[`server ${'ABC'[i]}`] = { pid: s.pid }))
  const redis = redisPid(c.services.redis.port)
  if (redis !== undefined) roots.redis = { pid: redis }
  return startSampler(roots)
}

// Whether the bench's own processes ask more CPU than the machine has, beside the main thread's delay.
const machineFigures = ({ samples, loop, load }: Sampling): Record<string, string> => ({
  "CPU of the bench's processes (sum of medians, % of a core) / the machine's": `${Object.values(samples).reduce((n, s) => n + summary(s).cpu, 0)} / ${os.cpus().length * 100}`,
  "main thread's (balancer's) event-loop delay p50 / p99 / max (ms)": `${loop.p50} / ${loop.p99} / ${loop.max}`,
  'load average (1 min) during the run, median / largest': loadText(load),
})

const serverFigures = async (c: Cluster, { samples, loop, load }: Sampling): Promise<Record<string, number | string>> => {
  const f: Record<string, number | string> = {}
  for (const [i, s] of c.servers.entries()) {
    const name = `server ${'ABC'[i]}`
    const sum = summary(samples[name])
    const peak = i === VICTIM ? sum.peakRss : Math.round(peakRssMB(s.pid))
    const closes = i === VICTIM ? 'killed' : [...await serverCloses(s.url)].map(([code, n]) => `${code} × ${n}`).join(', ') || 'none'
    f[`${name}${i === VICTIM ? ' (killed)' : ''}: CPU % of a core / waited for a CPU % / RSS MB median / peak RSS MB / closes it counted / log lines`] = `${sum.cpu} / ${sum.wait} / ${sum.rss} / ${peak} / ${closes} / ${s.log.length}`
  }
  for (const name of ['postgres', 'redis', 'bench']) {
    const sum = summary(samples[name])
    f[`${name === 'bench' ? "the bench's process (all crowd threads, the probe and the balancer)" : name}: CPU % of a core / waited for a CPU % / RSS MB median / largest sample`] = `${sum.cpu} / ${sum.wait} / ${sum.rss} / ${sum.peakRss}`
  }
  return { ...f, ...machineFigures({ samples, loop, load }) }
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

/** What a crowd's run gave: what each thread measured, every edit applied, how everyone ended. */
interface CrowdRun {
  edited: Edited[]
  applied: AppliedEdit[]
  clocks: Map<number, number[]>
  missing: number
  seeing: number
  endings: Ending[]
  editStart: number
  editSeconds: number
  sampling: Sampling
}

/** Everyone edits for `seconds` (with `meanwhile` running from the start), then must converge and show the whole room. */
const editFor = async (crowd: Crowd, seconds: number, sampler: ReturnType<typeof startSampler>, meanwhile: (editStart: number) => Promise<void>): Promise<CrowdRun> => {
  const editStart = wall() + START_MS
  await crowd.edit(editStart)
  await meanwhile(editStart)
  await sleep(Math.max(0, editStart + seconds * 1000 - wall()))
  const edited = await crowd.stop()
  const editSeconds = (wall() - editStart) / 1000
  const clocks = clocksOf(edited)
  const checked = await crowd.check(clocks)
  return { edited, clocks, ...checked, editStart, editSeconds, sampling: sampler.stop() }
}

/** The figures and failures both crowds have: edits, applies, presence, the threads, losses, closes. */
const crowdFigures = (crowd: Crowd, run: CrowdRun, rate: number): { figures: Record<string, number | string>, failures: string[] } => {
  const edits = run.clocks.size === 0 ? 0 : [...run.clocks.values()].reduce((n, xs) => n + xs.length, 0)
  const skipped = run.edited.reduce((n, e) => n + e.skipped, 0)
  const live = closesSeen(run.endings.filter((e) => !e.victim))
  const failures = [...crowd.failures]
  if (live.closedPeople > 0) failures.push(`${live.closedPeople} clients of the live processes were closed (${live.text})`)
  if (run.missing > 0) failures.push(`${run.missing} edit deliveries lost (of ${edits} edits × ${crowd.clients.length - 1} peers)`)
  if (skipped > 0) failures.push(`${skipped} edits not made: the client never received the image to label`)
  if (run.seeing < crowd.clients.length) failures.push(`only ${run.seeing} of ${crowd.clients.length} presence lists show the whole room`)
  return {
    figures: {
      'edits per client per second': rate,
      'everyone joined and synced (ms)': Math.round(crowd.joinMs),
      'edits made / committed per second': `${edits} / ${tenths(edits / run.editSeconds)}`,
      'updates applied by clients per second (every delivery, all pairs)': Math.round(run.applied.length / run.editSeconds),
      'presence updates applied by clients per second (each echoed back)': Math.round(run.edited.reduce((n, e) => n + e.presence, 0) / run.editSeconds),
      ...threadFigures(run.edited),
      'lost updates (edits missing from a live client at the end)': run.missing,
      'close codes seen by clients of the live processes': live.text,
      'presence lists showing the whole room': `${run.seeing} of ${crowd.clients.length}`,
    },
    failures,
  }
}

const runClusterCrowd = async (c: Cluster, room: CrowdRoom, o: CrowdShape): Promise<ClusterResult> => {
  const { rate, seconds } = o
  const crowd = await joinCrowd({ url: c.balancer.url, room, size: PROCESSES * PER_PROCESS, threads: o.threads, rate, routes: c.routes, joinSpreadMs: o.joinSeconds * 1000 })
  const spread = [0, 1, 2].map((b) => crowd.backends.filter((x) => x === b).length)
  const probe = await startProbe(c, room, crowd.target)
  let kill = { killedAt: NaN, victims: 0, back: Promise.resolve<number[]>([]) }
  let back: number[] | null = null
  let recoveredAt = NaN
  const run = await editFor(crowd, seconds, samplerOf(c), async (editStart) => {
    await sleep(Math.max(0, editStart + seconds * 550 - wall()))
    kill = await killOne(c, crowd)
    back = await Promise.race([kill.back, sleep(60_000).then(() => null)])
    recoveredAt = wall()
  })
  const probed = await probe.stop()
  const leaving = { now: false }
  const late = join(c.balancer.url, room, 'Late joiner', leaving)
  await settle(() => late.provider.synced && missingEdits([late], run.clocks) === 0, 30_000)
  const lateMissing = missingEdits([late], run.clocks)
  leave([late], leaving)
  await crowd.leave()
  const moments: Moments = { killedAt: kill.killedAt, recoveredAt, editStart: run.editStart }
  const moved = run.endings.filter((e) => e.victim)
  const { figures, failures } = crowdFigures(crowd, run, rate)
  const backMs = (back as number[] | null)?.map((at) => at - kill.killedAt) ?? null
  if (backMs === null) failures.push('the killed process\'s clients were not all synced again within 60 s')
  if (lateMissing > 0) failures.push(`a client joining after the run lacks ${lateMissing} edits`)
  return {
    title: `three processes on PostgreSQL and Redis, ${crowd.clients.length} clients in one room`,
    figures: {
      'clients (per process A / B / C when they joined), and 2 probes': `${crowd.clients.length} (${spread.join(' / ')})`,
      ...figures,
      ...latencyFigures(deliveriesOf(run.edited, run.applied), moments),
      ...probeFigures(probed, moments),
      'edits missing from a client that joined after the run': lateMissing,
      'killed process B after (s)': tenths((kill.killedAt - run.editStart) / 1000),
      'its clients, and where they went (A / C)': `${kill.victims} (${moved.filter((e) => e.backend === 0).length} / ${moved.filter((e) => e.backend === 2).length})`,
      'kill to connected and synced again, median / worst (ms)': backMs === null ? 'not all within 60 s' : `${Math.round(percentile(backMs, 0.5))} / ${Math.round(Math.max(...backMs))}`,
      ...await serverFigures(c, run.sampling),
      'close codes seen by the moved clients (the kill is one each)': closesSeen(moved).text,
      'reconnects of the moved clients (disconnects after the first)': moved.reduce((n, e) => n + Math.max(0, e.disconnects - 1), 0),
      'server logs': c.logFile,
    },
    failures: failures.map((f) => `cluster: ${f}`),
  }
}

/** The same crowd, over the same threads, on one embedded process (SQLite) through the same balancer: the baseline of the ratios. */
const runBaseline = async (o: CrowdShape): Promise<ClusterResult> => {
  const { rate, seconds } = o
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-cluster-base-'))
  const server = await spawnServer(dataDir, ADMIN)
  const routes = routeTable()
  const balancer = await startBalancer([server.url], routes.onRoute)
  try {
    const room = await makeRoom(server.url, 'Crowd')
    const crowd = await joinCrowd({ url: balancer.url, room, size: PROCESSES * PER_PROCESS, threads: o.threads, rate, routes: routes.buffer, joinSpreadMs: o.joinSeconds * 1000 })
    const run = await editFor(crowd, seconds, startSampler({ server: { pid: server.pid } }), async () => {})
    await crowd.leave()
    const ms = deliveriesOf(run.edited, run.applied).map((d) => d.ms)
    const { figures, failures } = crowdFigures(crowd, run, rate)
    const sum = summary(run.sampling.samples.server)
    const bench = summary(run.sampling.samples.bench)
    return {
      title: `baseline: one embedded process (SQLite), ${crowd.clients.length} clients in one room`,
      figures: {
        'clients': crowd.clients.length,
        ...figures,
        'edit-to-peer latency p50 (ms)': tenths(percentile(ms, 0.5)),
        'edit-to-peer latency p99 (ms)': tenths(percentile(ms, 0.99)),
        'server: CPU % of a core / waited for a CPU % / RSS MB median / peak RSS MB / log lines': `${sum.cpu} / ${sum.wait} / ${sum.rss} / ${Math.round(peakRssMB(server.pid))} / ${server.log.length}`,
        "the bench's process (all crowd threads and the balancer): CPU % of a core / waited for a CPU % / RSS MB median": `${bench.cpu} / ${bench.wait} / ${bench.rss}`,
        ...machineFigures(run.sampling),
      },
      failures: failures.map((f) => `baseline: ${f}`),
    }
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
export async function benchCluster (opts: Partial<CrowdShape> = {}): Promise<ClusterResult[]> {
  const shape: CrowdShape = { rate: opts.rate ?? RATE, seconds: opts.seconds ?? SECONDS, threads: opts.threads ?? THREADS, joinSeconds: opts.joinSeconds ?? JOIN_SECONDS }
  const baseline = await runBaseline(shape)
  const cluster = await startCluster()
  let result: ClusterResult
  try {
    const room = await makeRoom(cluster.servers[0]?.url ?? '', 'Crowd')
    result = await runClusterCrowd(cluster, room, shape)
  } finally {
    await stopCluster(cluster)
  }
  const p99 = Number(result.figures['cross-process edit-to-peer latency p99 (ms), outside the failover window'])
  const base99 = Number(baseline.figures['edit-to-peer latency p99 (ms)'])
  result.figures['cross-process p99 against the baseline\'s p99 (one process, all pairs)'] = `${Math.round((p99 / base99) * 100) / 100}x`
  result.figures['within the budget (p99 ≤ 50 ms)'] = p99 <= 50 ? 'yes' : `no (${Math.round((p99 / 50) * 10) / 10}x)`
  return [result, baseline]
}
