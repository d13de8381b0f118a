import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { issueToken } from '../sync-server/auth.ts'
import { openSqliteStorage } from '../sync-server/storage/sqlite.ts'
import * as D from '../src/domain/index.ts'
import { buildReference } from './reference.ts'

const BENCH_ACTOR: D.Actor = { id: 'bench', name: 'Bench' }
import { median } from './stats.ts'

const ADMIN = 'bench-admin'
const TICKS_PER_SECOND = 100

/** Options of the sync benchmark; `rate` is edits per second per client. */
export interface SyncBenchOptions { clients: number, items: number, rate?: number, seconds?: number, syncRuns?: number }

// ws caps received messages at 100 MiB by default; a 100k-item project is about that big.
class BigWebSocket extends WebSocket {
  constructor (url: string, protocols?: string | string[]) {
    super(url, protocols, { maxPayload: 2 ** 31 })
  }
}

const connect = (url: string, room: string, token: string, doc = new Y.Doc({ gc: false })): WebsocketProvider =>
  new WebsocketProvider(`${url.replace(/^http/, 'ws')}/sync`, room, doc, {
    params: { token }, disableBc: true, WebSocketPolyfill: BigWebSocket as unknown as typeof globalThis.WebSocket,
  })

const until = async (check: () => boolean, what: string, timeoutMs = 600_000): Promise<void> => {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

// Server CPU seconds (user + system) and peak resident memory, from Linux's /proc.
const cpuSeconds = (pid: number): number => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}
const peakRssMB = (pid: number): number => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m?.[1] ?? NaN) / 1024
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN
}

const round1 = (x: number): number => Math.round(x * 10) / 10

// The data folder holds two projects before the server starts: the reference one and an empty one.
const seed = async (dataDir: string, items: number): Promise<{ reference: string, edits: string, token: string }> => {
  const ref = buildReference(items, 20)
  const storage = openSqliteStorage(path.join(dataDir, 'strata.sqlite'))
  const now = Date.now()
  await storage.createProject({ id: 'reference', name: 'Reference', createdAt: now })
  await storage.createProject({ id: 'edits', name: 'Edits', createdAt: now })
  await storage.appendUpdate('reference', Y.encodeStateAsUpdate(ref.doc))
  const { token } = await issueToken(storage, 'edits', 'editor')
  await storage.close()
  ref.doc.destroy()
  return { reference: 'reference', edits: 'edits', token }
}

const startServer = async (dataDir: string): Promise<{ url: string, child: ChildProcess }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, PORT: '0', STRATA_DATA: dataDir, STRATA_ADMIN_TOKEN: ADMIN, STRATA_RATE: '100000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /Strata listening on (http:\/\/\S+)/.exec(out)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  return { url, child }
}

// N clients in one room, each drawing a box label (a real, server-validated record) at a
// steady rate; a label's `at` is its wall-clock send time, so peers measure the delay.
const editPhase = async (url: string, room: string, token: string, opts: Required<SyncBenchOptions>, pid: number) => {
  const providers = Array.from({ length: opts.clients }, () => connect(url, room, token))
  await until(() => providers.every((p) => p.synced), 'edit clients to sync', 30_000)
  const first = providers[0] as (typeof providers)[number]
  const classId = D.addClass(first.doc, { name: 'object' })
  const itemId = D.addItem(first.doc, { name: 'bench.png', blob: 'f'.repeat(64), mime: 'image/png', width: 1000, height: 1000 }, BENCH_ACTOR)
  await until(() => providers.every((p) => D.maps(p.doc).items.has(itemId)), 'the bench item to reach every client', 30_000)
  const latencies: number[] = []
  for (const p of providers) {
    const labels = D.maps(p.doc).labels
    labels.observe((event, tr) => {
      if (tr.local) return
      const now = Date.now()
      for (const key of event.keysChanged) latencies.push(now - (labels.get(key)?.at ?? now))
    })
  }
  const cpuBefore = cpuSeconds(pid)
  const started = performance.now()
  let sent = 0
  const timers = providers.map((p, i) => setTimeout(() => {
    const timer = setInterval(() => {
      D.addLabel(p.doc, itemId, { classId, bbox: [i % 900, sent++ % 900, 50, 50] }, BENCH_ACTOR)
    }, 1000 / opts.rate)
    timers[i] = timer
  }, (i * 1000) / opts.rate / opts.clients))
  await new Promise((r) => setTimeout(r, opts.seconds * 1000))
  for (const t of timers) clearInterval(t)
  await until(() => latencies.length >= sent * (opts.clients - 1), 'every edit to reach every peer', 30_000)
  const wall = (performance.now() - started) / 1000
  const cpu = cpuSeconds(pid) - cpuBefore
  for (const p of providers) p.destroy()
  return { sent, wall, cpu, latencies }
}

// A fresh client with an empty document until it holds the whole project.
const syncFromScratch = async (url: string, room: string, token: string, items: number): Promise<number> => {
  const start = performance.now()
  const p = connect(url, room, token)
  await until(() => p.synced && p.doc.getMap('items').size >= items, 'reference project to sync')
  const ms = performance.now() - start
  p.destroy()
  p.doc.destroy()
  return ms
}

/**
 * Sync-server benchmark: `clients` clients on loopback edit one room at a steady rate (edit-to-peer
 * latency, updates relayed per second, server CPU and peak memory), then fresh clients sync the
 * `items`-item reference project from scratch. The server runs in a child process.
 */
export async function benchSync (options: SyncBenchOptions): Promise<Record<string, number | string>> {
  const opts: Required<SyncBenchOptions> = { rate: 2, seconds: 10, syncRuns: 3, ...options }
  // Every provider adds a process 'exit' listener; 50 of them are expected here, not a leak.
  process.setMaxListeners(opts.clients + 20)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-sync-'))
  const ids = await seed(dataDir, opts.items)
  const { url, child } = await startServer(dataDir)
  const pid = child.pid ?? 0
  try {
    const edits = await editPhase(url, ids.edits, ids.token, opts, pid)
    const peakEditMB = peakRssMB(pid)
    const cold = await syncFromScratch(url, ids.reference, ADMIN, opts.items)
    const warm: number[] = []
    for (let i = 0; i < opts.syncRuns; i++) warm.push(await syncFromScratch(url, ids.reference, ADMIN, opts.items))
    return {
      clients: opts.clients,
      'edits per second per client': opts.rate,
      'edits sent': edits.sent,
      'updates relayed per second': Math.round(edits.latencies.length / edits.wall),
      'edit-to-peer latency p50 (ms)': round1(percentile(edits.latencies, 0.5)),
      'edit-to-peer latency p99 (ms)': round1(percentile(edits.latencies, 0.99)),
      'budget p99 (ms)': 50,
      'server CPU during edits (% of one core)': Math.round((edits.cpu / edits.wall) * 100),
      'server peak RSS during edits (MB)': Math.round(peakEditMB),
      items: opts.items,
      'sync from scratch, cold room (ms)': Math.round(cold),
      'sync from scratch, room in memory, median (ms)': Math.round(median(warm)),
      'server peak RSS with the project loaded (MB)': Math.round(peakRssMB(pid)),
    }
  } finally {
    child.kill('SIGKILL')
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}
