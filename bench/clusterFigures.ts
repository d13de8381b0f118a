import type { ProbeReport } from './clusterProbe.ts'
import { percentile, tenths } from './crowd.ts'
import type { Edited } from './crowdThread.ts'
import type { Delivery } from './crowdThreads.ts'

/** The kill, when the last moved client was synced again, and when editing started: wall-clock ms. */
export interface Moments { killedAt: number, recoveredAt: number, editStart: number }

/** Latencies are also kept by 5 s window of the run, to show when the slow ones came. */
const WINDOW_MS = 5_000

const pq = (xs: number[]): string => `${tenths(percentile(xs, 0.5))} / ${tenths(percentile(xs, 0.99))} (${xs.length})`

/**
 * Latencies by phase, cross-process and same-process pairs apart (by the balancer's routes when
 * made and when applied): before the kill, during the failover window (the kill until the last
 * moved client synced, or either end without a route), after it.
 */
export const latencyFigures = (deliveries: Delivery[], m: Moments): Record<string, number | string> => {
  const steady: number[] = []
  const failover: number[] = []
  const after: number[] = []
  const same: number[] = []
  const byWindow: number[][] = []
  for (const d of deliveries) {
    if (d.from < 0 || d.to < 0 || (d.at >= m.killedAt && d.at <= m.recoveredAt)) failover.push(d.ms)
    else if (d.from === d.to) same.push(d.ms)
    else {
      (d.at < m.killedAt ? steady : after).push(d.ms)
      ;(byWindow[Math.floor((d.at - m.editStart) / WINDOW_MS)] ??= []).push(d.ms)
    }
  }
  const outside = [...steady, ...after]
  return {
    'cross-process edit-to-peer latency p50 (ms), outside the failover window': tenths(percentile(outside, 0.5)),
    'cross-process edit-to-peer latency p99 (ms), outside the failover window': tenths(percentile(outside, 0.99)),
    'cross-process p50 / p99 (ms) (deliveries): three processes, before the kill': pq(steady),
    'cross-process p50 / p99 (ms) (deliveries): two processes, after every moved client synced': pq(after),
    'cross-process p50 / p99 / max (ms) during the failover window': `${pq(failover)} / ${failover.length === 0 ? '–' : tenths(Math.max(...failover))}`,
    'same-process p50 / p99 (ms) (deliveries), outside the failover window': pq(same),
    'cross-process p99 (ms) by 5 s window of the run, outside the failover window': Array.from(byWindow, (xs) => (xs === undefined ? '–' : Math.round(percentile(xs, 0.99)))).join(', '),
  }
}

/** Each crowd thread's event-loop delay and how busy its loop was: whether the clients are still the bottleneck. */
export const threadFigures = (edited: Edited[]): Record<string, string> => ({
  [`crowd threads (${edited.length}): event-loop delay p99 / max (ms), each`]: edited.map((e) => `${e.loop.p99} / ${e.loop.max}`).join(', '),
  'crowd threads: % of the time their event loop was busy / ran on a CPU / waited for one, each': edited.map((e) => [e.busy, e.ran, e.waited].map((x) => Math.round(x * 100)).join(' / ')).join(', '),
})

/** The probe's figures; its samples outside the failover window, by the wall clock all threads share. */
export const probeFigures = (r: ProbeReport, m: Moments): Record<string, string> => {
  const outside = r.cross.filter(([at]) => at < m.killedAt || at > m.recoveredAt).map(([, ms]) => ms)
  const pqm = (xs: number[]): string => `${tenths(percentile(xs, 0.5))} / ${tenths(percentile(xs, 0.99))} / ${xs.length === 0 ? '–' : tenths(Math.max(...xs))} (${xs.length})`
  const slowest = (xs: Array<[number, number]>, n: number): string => [...xs].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([at, ms]) => `${Math.round(ms)} at ${tenths((at - m.killedAt) / 1000)}`).join(', ')
  return {
    'probe (2 clients on A and C in their own thread): cross-process p50 / p99 / max (ms) (deliveries), outside the failover window': pqm(outside),
    'PostgreSQL commit of one row, every 100 ms: p50 / p99 / max (ms) (samples), whole run': pqm(r.commit.map(([, ms]) => ms)),
    'Redis PING, every 100 ms: p50 / p99 / max (ms) (samples), whole run': pqm(r.ping.map(([, ms]) => ms)),
    "probe thread's longest event-loop delay (ms)": String(tenths(r.loopMaxMs)),
    "probe's 3 slowest deliveries (ms at s from the kill)": slowest(r.cross, 3),
    'slowest PostgreSQL commit (ms at s from the kill)': slowest(r.commit, 1),
  }
}
