import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import * as Y from 'yjs'
import * as D from '../src/domain/index.ts'
import {
  editKey, join, leave, missingEdits, observeEdits, placeTargets, presenceApplied, seesClients, settle, startEditing,
  type CrowdRoom, type Person, type Target,
} from './crowd.ts'
import { loopDelayOf, threadScheduleMs, type LoopDelay } from './sampler.ts'

/**
 * One thread's share of a crowd: people `first` to `first + count - 1` of `of`, joining `url`.
 * `routes` is the balancer's table, by client port: the backend's index + 1, or 0 while none.
 */
/** A thread's people: `first` to `first + count - 1` of `of`; person k of the crowd joins `k * joinSpreadMs / of` ms after the start. */
export interface CrowdJob { url: string, room: CrowdRoom, first: number, count: number, of: number, rate: number, routes: SharedArrayBuffer, joinSpreadMs: number }

/** An edit made: its key (bench/crowd.ts's editKey), wall-clock ms, the sender's backend (-1: none), its Yjs client and clock after it. */
export type SentEdit = [key: string, at: number, backend: number, client: number, clock: number]

/** An edit applied by a peer: its key, wall-clock ms, the peer's backend (-1: none). */
export type AppliedEdit = [key: string, at: number, backend: number]

/**
 * What a thread measured while its people edited: presence changes applied, edits not made
 * (no image), its event-loop delay, `busy`, the share of the time its event loop ran (or was
 * ready to), and of that, `ran` on a CPU and `waited` for one (the kernel's run queue).
 */
export interface Edited { sent: SentEdit[], presence: number, skipped: number, loop: LoopDelay, busy: number, ran: number, waited: number }

/** How one person ended: whether it was on the killed backend, where it is now, what closed it. */
export interface Ending { victim: boolean, backend: number, closes: Person['closes'], disconnects: number }

/** What the main thread asks, in the order it asks. */
export type Ask =
  | { kind: 'join' }
  | { kind: 'place' }
  | { kind: 'target', target: Target }
  | { kind: 'edit', atWall: number }
  | { kind: 'arm', victim: number }
  | { kind: 'stop' }
  | { kind: 'check', clocks: Array<[number, number[]]>, members: number[] }
  | { kind: 'leave' }

/** What a thread answers; `back` comes by itself once every person of the killed backend is synced again. */
export type Answer =
  | { kind: 'loaded' }
  | { kind: 'joined', clients: number[], backends: number[], synced: boolean }
  | { kind: 'placed', target: Target }
  | { kind: 'ready', has: boolean }
  | { kind: 'editing' }
  | { kind: 'armed', victims: number }
  | { kind: 'back', at: number[] }
  | { kind: 'stopped', edited: Edited }
  | { kind: 'checked', applied: AppliedEdit[], missing: number, seeing: number, endings: Ending[] }
  | { kind: 'left' }

const job = workerData as CrowdJob
const routes = new Int32Array(job.routes)
const wall = (): number => performance.timeOrigin + performance.now()
const backendOf = (p: Person): number => Atomics.load(routes, p.localPort() ?? 0) - 1
const leaving = { now: false }
const delay = monitorEventLoopDelay({ resolution: 10 })
// Every provider adds a process 'exit' listener; hundreds of them are expected here, not a leak.
process.setMaxListeners(job.count + 20)
const people: Person[] = []
// Everyone joins at a moment of their own across the spread, as people arrive, so that their
// presence renewals (every 15 s from their own start) do not all come at once.
const allJoined = new Promise<void>((resolve) => {
  for (let i = 0; i < job.count; i++) {
    setTimeout(() => {
      people.push(join(job.url, job.room, `Person ${job.first + i}`, leaving))
      if (people.length === job.count) resolve()
    }, ((job.first + i) * job.joinSpreadMs) / job.of)
  }
})
const sent: SentEdit[] = []
const applied: AppliedEdit[] = []
const victims = new Set<Person>()
let editing: ReturnType<typeof startEditing> | undefined
let target: Target | undefined
let presenceAtStart = 0
let busyAtStart = performance.eventLoopUtilization()
let scheduleAtStart = { at: 0, ran: 0, waited: 0 }

// Resolves with the wall-clock ms when `p` is connected and synced again.
const syncedAgain = (p: Person): Promise<number> => new Promise((resolve) => {
  const synced = (is: boolean): void => {
    if (!is || p.provider.wsconnected !== true) return
    p.provider.off('sync', synced)
    resolve(wall())
  }
  p.provider.on('sync', synced)
})

const arm = (victim: number): Answer => {
  for (const p of people) if (backendOf(p) === victim) victims.add(p)
  void Promise.all([...victims].map(syncedAgain)).then((at) => parentPort?.postMessage({ kind: 'back', at } satisfies Answer))
  return { kind: 'armed', victims: victims.size }
}

const edit = (atWall: number, t: Target): Answer => {
  observeEdits(people, (key, to) => void applied.push([key, wall(), backendOf(to)]))
  presenceAtStart = presenceApplied(people)
  busyAtStart = performance.eventLoopUtilization()
  scheduleAtStart = { at: performance.now(), ...threadScheduleMs() }
  delay.enable()
  editing = startEditing(people, new Map([[job.room.id, t]]), job.rate, (p, label) => {
    sent.push([editKey(p.doc, label), wall(), backendOf(p), p.doc.clientID, Y.getState(p.doc.store, p.doc.clientID)])
  }, { first: job.first, of: job.of, inMs: atWall - wall() })
  return { kind: 'editing' }
}

const stop = (): Answer => {
  editing?.stop()
  delay.disable()
  const busy = performance.eventLoopUtilization(busyAtStart).utilization
  const now = threadScheduleMs()
  const ms = performance.now() - scheduleAtStart.at
  return {
    kind: 'stopped',
    edited: {
      sent, presence: presenceApplied(people) - presenceAtStart, skipped: editing?.skipped() ?? 0, loop: loopDelayOf(delay), busy,
      ran: (now.ran - scheduleAtStart.ran) / ms, waited: (now.waited - scheduleAtStart.waited) / ms,
    },
  }
}

// Converged within 30 s, then presence complete within 20 s, as a one-thread crowd is checked;
// the edits applied are answered only then, so that the slowest deliveries are among them.
const check = async (clocks: Map<number, number[]>, members: number[]): Promise<Answer> => {
  await settle(() => missingEdits(people, clocks) === 0, 30_000)
  await settle(() => people.every((p) => seesClients(p, members)), 20_000)
  const endings = people.map((p) => ({ victim: victims.has(p), backend: backendOf(p), closes: p.closes, disconnects: p.disconnects }))
  return { kind: 'checked', applied, missing: missingEdits(people, clocks), seeing: people.filter((p) => seesClients(p, members)).length, endings }
}

const answer = async (ask: Ask): Promise<Answer> => {
  switch (ask.kind) {
    case 'join': {
      await allJoined
      const synced = await settle(() => people.every((p) => p.provider.synced), 60_000)
      return { kind: 'joined', clients: people.map((p) => p.doc.clientID), backends: people.map(backendOf), synced }
    }
    case 'place': return { kind: 'placed', target: (await placeTargets([job.room], people)).get(job.room.id) as Target }
    case 'target': {
      target = ask.target
      const itemId = ask.target.itemId
      return { kind: 'ready', has: await settle(() => people.every((p) => D.maps(p.doc).items.has(itemId)), 30_000) }
    }
    case 'edit': return edit(ask.atWall, target as Target)
    case 'arm': return arm(ask.victim)
    case 'stop': return stop()
    case 'check': return await check(new Map(ask.clocks), ask.members)
    case 'leave':
      leave(people, leaving)
      return { kind: 'left' }
  }
}

parentPort?.on('message', (ask: Ask) => void answer(ask).then((a) => parentPort?.postMessage(a)))
parentPort?.postMessage({ kind: 'loaded' } satisfies Answer)
