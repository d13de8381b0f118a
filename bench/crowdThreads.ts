import { Worker } from 'node:worker_threads'
import type { CrowdRoom, Target } from './crowd.ts'
import type { AppliedEdit, Answer, Ask, CrowdJob, Edited, Ending } from './crowdThread.ts'

/** The balancer's routes where every crowd thread reads them: by client port, the backend's index + 1 (0: none). */
export const routeTable = (): { buffer: SharedArrayBuffer, onRoute(port: number, backend: number | undefined): void } => {
  const buffer = new SharedArrayBuffer(4 * 65_536)
  const table = new Int32Array(buffer)
  return { buffer, onRoute: (port, backend) => void Atomics.store(table, port, backend === undefined ? 0 : backend + 1) }
}

type Reply<K extends Answer['kind']> = Extract<Answer, { kind: K }>

interface Thread {
  next<K extends Answer['kind']>(kind: K): Promise<Reply<K>>
  ask<K extends Answer['kind']>(ask: Ask, kind: K): Promise<Reply<K>>
  worker: Worker
}

// Answers are taken by kind; one that comes before it is awaited (`back` can) waits for its taker.
const startThread = (job: CrowdJob): Thread => {
  const worker = new Worker(new URL('./crowdThread.mjs', import.meta.url), { workerData: job })
  const waiting = new Map<string, { resolve(a: Answer): void, reject(e: unknown): void }>()
  const early = new Map<string, Answer>()
  let failed: unknown
  worker.on('message', (a: Answer) => {
    const w = waiting.get(a.kind)
    waiting.delete(a.kind)
    if (w === undefined) early.set(a.kind, a)
    else w.resolve(a)
  })
  worker.on('error', (e) => {
    failed = e
    for (const w of waiting.values()) w.reject(e)
    waiting.clear()
  })
  const next = <K extends Answer['kind']>(kind: K): Promise<Reply<K>> => new Promise<Reply<K>>((resolve, reject) => {
    const a = early.get(kind)
    early.delete(kind)
    if (failed !== undefined) reject(failed)
    else if (a !== undefined) resolve(a as Reply<K>)
    else waiting.set(kind, { resolve: (x) => resolve(x as Reply<K>), reject })
  })
  return { worker, next, ask: (ask, kind) => {
    const reply = next(kind)
    worker.postMessage(ask)
    return reply
  } }
}

/** A crowd spread over threads, joined and holding the image it labels. */
export interface Crowd {
  /** Every person's Yjs client id, and the backend each joined (-1: none). */
  clients: number[]
  backends: number[]
  joinMs: number
  /** The image and class the first person placed, which every thread received. */
  target: Target
  failures: string[]
  /** Everyone starts editing at the wall-clock ms `atWall`. */
  edit(atWall: number): Promise<void>
  /** Marks who is on backend `victim` now; `back` answers, per one of them, the wall-clock ms it was synced again. */
  arm(victim: number): Promise<{ victims: number, back: Promise<number[]> }>
  stop(): Promise<Edited[]>
  /** Waits for convergence to `clocks` and for complete presence lists; answers every edit applied and how everyone ended. */
  check(clocks: Map<number, number[]>): Promise<{ applied: AppliedEdit[], missing: number, seeing: number, endings: Ending[] }>
  leave(): Promise<void>
}

/** Options of a crowd: `size` people in `room` through `url`, over `threads` threads, `rate` edits per second each. */
export interface CrowdThreadOptions { url: string, room: CrowdRoom, size: number, threads: number, rate: number, routes: SharedArrayBuffer, joinSpreadMs: number }

const all = <K extends Answer['kind']>(threads: Thread[], ask: Ask, kind: K): Promise<Array<Reply<K>>> => Promise.all(threads.map((t) => t.ask(ask, kind)))

/** Starts the threads, lets everyone join (the time is from the first join to the last sync), and has the first person place the image. */
export const joinCrowd = async (o: CrowdThreadOptions): Promise<Crowd> => {
  const firsts = Array.from({ length: o.threads }, (_, t) => Math.round((t * o.size) / o.threads))
  const threads = firsts.map((first, t) => startThread({
    url: o.url, room: o.room, first, count: (firsts[t + 1] ?? o.size) - first, of: o.size, rate: o.rate, routes: o.routes, joinSpreadMs: o.joinSpreadMs,
  }))
  await Promise.all(threads.map((t) => t.next('loaded')))
  const joinStart = performance.now()
  const joined = await all(threads, { kind: 'join' }, 'joined')
  const joinMs = performance.now() - joinStart
  const failures = joined.every((j) => j.synced) ? [] : ['not everyone synced within 60 s']
  const target = (await (threads[0] as Thread).ask({ kind: 'place' }, 'placed')).target
  if (!(await all(threads, { kind: 'target', target }, 'ready')).every((r) => r.has)) failures.push('not everyone received the image within 30 s')
  const clients = joined.flatMap((j) => j.clients)
  return {
    clients, backends: joined.flatMap((j) => j.backends), joinMs, target, failures,
    edit: async (atWall) => void await all(threads, { kind: 'edit', atWall }, 'editing'),
    arm: async (victim) => {
      const back = Promise.all(threads.map((t) => t.next('back'))).then((xs) => xs.flatMap((x) => x.at))
      const armed = await all(threads, { kind: 'arm', victim }, 'armed')
      return { victims: armed.reduce((n, a) => n + a.victims, 0), back }
    },
    stop: async () => (await all(threads, { kind: 'stop' }, 'stopped')).map((s) => s.edited),
    check: async (clocks) => {
      const checked = await all(threads, { kind: 'check', clocks: [...clocks], members: clients }, 'checked')
      return {
        applied: checked.flatMap((c) => c.applied), missing: checked.reduce((n, c) => n + c.missing, 0),
        seeing: checked.reduce((n, c) => n + c.seeing, 0), endings: checked.flatMap((c) => c.endings),
      }
    },
    leave: async () => {
      await all(threads, { kind: 'leave' }, 'left')
      await Promise.all(threads.map((t) => t.worker.terminate()))
    },
  }
}

/** One delivery of an edit: ms from made to applied (wall clock, two threads), the backends of maker and peer, and when it was applied. */
export interface Delivery { ms: number, from: number, to: number, at: number }

/** Every edit applied, matched with where and when it was made. */
export const deliveriesOf = (edited: Edited[], applied: AppliedEdit[]): Delivery[] => {
  const made = new Map(edited.flatMap((e) => e.sent).map(([key, at, backend]) => [key, { at, backend }]))
  return applied.flatMap(([key, at, to]) => {
    const m = made.get(key)
    return m === undefined ? [] : [{ ms: at - m.at, from: m.backend, to, at }]
  })
}

/** Each client's edits as its Yjs clock after each one (bench/crowd.ts's missingEdits). */
export const clocksOf = (edited: Edited[]): Map<number, number[]> => {
  const clocks = new Map<number, number[]>()
  for (const [, , , client, clock] of edited.flatMap((e) => e.sent)) clocks.set(client, [...clocks.get(client) ?? [], clock])
  return clocks
}
