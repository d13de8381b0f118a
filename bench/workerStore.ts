import * as Y from 'yjs'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { type BrowserContext, type CDPSession, type Page, chromium } from 'playwright-core'
import { CHROMIUM } from '../test/e2e/browser.ts'
import { median } from './stats.ts'
import { storeData } from './workerStoreData.ts'
import type { Command, Reader, Result } from './workerStoreEntry.ts'

/**
 * Issue 11, point 2: is plain y-indexeddb good enough for the document once it lives in a
 * Web Worker? In real Chromium (on-disk profile, so IndexedDB is LevelDB on disk), in a
 * dedicated worker, on the 100k reference project: cold loads with y-indexeddb and with our
 * reader from a store y-indexeddb wrote and trimmed and from one in our pieces; the time
 * one edit takes to be written; y-indexeddb's trim and our compaction; how long a message
 * posted to the worker waits meanwhile; peak worker heap (CDP) and renderer RSS (/proc).
 *   npx tsx bench/workerStore.ts [--items 100000] [--runs 3]
 */

const { values } = parseArgs({ options: { items: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' } } })
const ITEMS = Number(values.items)
const RUNS = Number(values.runs)
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync']
const PING_MS = 20
/** Every this many pings carries a real edit (one edit per 200 ms). */
const EDIT_EVERY = 10
const SAMPLE_MS = 100
const STORES = { trimmed: 'strata-bench:trimmed', pieces: 'strata-bench:pieces' } as const
type Store = keyof typeof STORES

/** The worker bundle, the page and the seed data, served from one origin. */
const serve = async (dataDir: string): Promise<{ url: string; close: () => void }> => {
  const out = await build({ entryPoints: [path.join(import.meta.dirname, 'workerStoreEntry.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', write: false, logLevel: 'error' })
  const worker = out.outputFiles[0]?.text ?? ''
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/'
    const file = path.join(dataDir, path.basename(url))
    if (url === '/worker.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(worker)
    else if (!url.startsWith('/data/')) res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>worker store bench</title>')
    else if (fs.existsSync(file)) res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(fs.readFileSync(file))
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`, close: () => server.close() }
}

/** Renderer processes started by this script's browser (descendants of this process). */
const rendererRssMB = (): number => {
  const parents = new Map<number, number>()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {}
  }
  const mine = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true
    return false
  }
  let max = 0
  for (const pid of parents.keys()) {
    if (!mine(pid)) continue
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue
      const rss = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
      max = Math.max(max, Number(rss?.[1] ?? 0) / 1024)
    } catch {}
  }
  return max
}

/** A CDP session on the page's dedicated worker (its JS heap), attached before the worker starts. */
const workerSession = async (context: BrowserContext, page: Page) => {
  const cdp: CDPSession = await context.newCDPSession(page)
  let session: string | null = null
  let next = 1
  const pending = new Map<number, (m: { result?: { usedSize?: number } }) => void>()
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') session = e.sessionId
  })
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message) as { id?: number; result?: { usedSize?: number } }
    if (m.id !== undefined) pending.get(m.id)?.(m)
    if (m.id !== undefined) pending.delete(m.id)
  })
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false })
  const call = (method: string): Promise<{ result?: { usedSize?: number } }> =>
    new Promise((resolve) => {
      if (!session) return resolve({})
      const id = next++
      pending.set(id, resolve)
      void cdp.send('Target.sendMessageToTarget', { sessionId: session, message: JSON.stringify({ id, method, params: {} }) }).catch(() => resolve({}))
    })
  /** Used JS heap in MB; a request sent while the worker runs a long task is answered after it. */
  const heapMB = async (): Promise<number> => ((await call('Runtime.getHeapUsage')).result?.usedSize ?? Number.NaN) / 2 ** 20
  const collected = async (): Promise<number> => (await call('HeapProfiler.collectGarbage'), heapMB())
  return { heapMB, collected }
}

/** Peak worker heap and renderer RSS, sampled every SAMPLE_MS while `fn` runs. */
const sampled = async <T>(heapMB: () => Promise<number>, fn: () => Promise<T>): Promise<{ value: T; peakHeapMB: number; peakRssMB: number }> => {
  let running = true
  let peakHeapMB = 0
  let peakRssMB = 0
  const heapLoop = (async () => {
    while (running) {
      const h = await heapMB()
      if (Number.isFinite(h)) peakHeapMB = Math.max(peakHeapMB, h)
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS))
    }
  })()
  const rss = setInterval(() => (peakRssMB = Math.max(peakRssMB, rendererRssMB())), SAMPLE_MS)
  try {
    const value = await fn()
    return { value, peakHeapMB, peakRssMB }
  } finally {
    running = false
    clearInterval(rss)
    await heapLoop
    peakRssMB = Math.max(peakRssMB, rendererRssMB())
  }
}

/** Page side: starts the worker and runs one command with pings every PING_MS; answers the result and the pings' waits. */
const installPage = (): void => {
  const w = new Worker('/worker.js')
  const sent = new Map<number, number>()
  const waits: number[] = []
  let resolveRun: ((r: unknown) => void) | null = null
  let rejectRun: ((e: Error) => void) | null = null
  let nextPing = 0
  const ready = new Promise<void>((resolve) => {
    w.onmessage = (e: MessageEvent<{ kind: string; id: number; result: unknown; message: string }>) => {
      const m = e.data
      if (m.kind === 'ready') resolve()
      else if (m.kind === 'pong') waits.push(performance.now() - (sent.get(m.id) ?? Number.NaN))
      else if (m.kind === 'result') resolveRun?.(m.result)
      else if (m.kind === 'error') rejectRun?.(new Error(m.message))
    }
  })
  const run = async (command: unknown, edits: boolean): Promise<{ result: unknown; waits: number[] }> => {
    await ready
    waits.length = 0
    sent.clear()
    const timer = setInterval(() => {
      const id = nextPing++
      sent.set(id, performance.now())
      w.postMessage({ kind: 'ping', id, edit: edits && id % 10 === 0 })
    }, 20)
    const result = await new Promise((resolve, reject) => {
      resolveRun = resolve
      rejectRun = reject
      w.postMessage(command)
    }).finally(() => clearInterval(timer))
    // Pings posted before the result are answered right after it.
    const deadline = performance.now() + 30_000
    while (waits.length < sent.size && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    return { result, waits: [...waits] }
  }
  Object.assign(window, { bench: { run } })
}

type Phase = Result & { 'longest wait of a posted message (ms)': number; 'median wait (ms)': number; 'peak worker heap (MB)': number; 'peak renderer RSS (MB)': number }

const runPhase = async (page: Page, heapMB: () => Promise<number>, command: Exclude<Command, { kind: 'ping' }>, edits: boolean): Promise<Phase> => {
  const { value, peakHeapMB, peakRssMB } = await sampled(heapMB, () =>
    page.evaluate(({ c, e }) => (window as unknown as { bench: { run: (c: unknown, e: boolean) => Promise<{ result: Result; waits: number[] }> } }).bench.run(c, e), { c: command, e: edits }),
  )
  return { ...value.result, 'longest wait of a posted message (ms)': Math.max(0, ...value.waits), 'median wait (ms)': median(value.waits), 'peak worker heap (MB)': peakHeapMB, 'peak renderer RSS (MB)': peakRssMB }
}

/** A fresh browser on the bench's profile (a cold start: new browser, renderer and worker), one page with the worker. */
const withWorker = async <T>(profile: string, url: string, fn: (page: Page, w: Awaited<ReturnType<typeof workerSession>>) => Promise<T>): Promise<T> => {
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true })
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(url)
    await page.addScriptTag({ content: 'globalThis.__name ??= (fn) => fn' })
    const session = await workerSession(context, page)
    await page.evaluate(installPage)
    return await fn(page, session)
  } finally {
    await context.close()
  }
}

const COMBOS: Array<{ reader: Reader; store: Store; after: Array<'writes' | 'trim' | 'compact'> }> = [
  { reader: 'y-indexeddb', store: 'trimmed', after: ['writes', 'trim'] },
  // No edits here: its 500+ stored pieces would make y-indexeddb trim our store into its own shape.
  { reader: 'y-indexeddb', store: 'pieces', after: [] },
  { reader: 'ours, one transaction', store: 'trimmed', after: ['writes'] },
  { reader: 'ours, one transaction', store: 'pieces', after: ['writes'] },
  { reader: 'ours, one transaction, update listener first', store: 'trimmed', after: [] },
  { reader: 'ours, per piece', store: 'trimmed', after: [] },
  { reader: 'ours, per piece', store: 'pieces', after: ['writes', 'compact'] },
]

/** The same document applied in Node, now: a yardstick for how loaded the shared machine is. */
const nodeApplyMs = (dir: string): number => {
  const doc = new Y.Doc({ gc: false })
  const update = fs.readFileSync(path.join(dir, 'full.bin'))
  const start = performance.now()
  Y.applyUpdate(doc, update)
  const ms = performance.now() - start
  doc.destroy()
  return ms
}

const main = async (): Promise<void> => {
  const data = storeData(ITEMS)
  const yardstick = [nodeApplyMs(data.dir)]
  const loads = [os.loadavg()[0] ?? 0]
  console.error(`reference ${ITEMS}: ${data.items} items, ${data.labels} labels, ${(data.fullBytes / 1e6).toFixed(1)} MB as one update, ${data.pieces} pieces${data.buildMs ? `, built in ${(data.buildMs / 1000).toFixed(0)} s` : ' (cached)'}`)
  const server = await serve(data.dir)
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-profile-'))
  const rows = new Map<string, Phase[]>()
  const add = (key: string, phase: Phase): void => void rows.set(key, [...(rows.get(key) ?? []), phase])
  try {
    await withWorker(profile, server.url, async (page, w) => {
      for (const store of ['trimmed', 'pieces'] as const) {
        const seeded = await runPhase(page, w.heapMB, { kind: 'seed', store, name: STORES[store] }, false)
        console.error(`seeded ${store}: ${JSON.stringify(seeded)}`)
      }
    })
    for (let r = 0; r < RUNS; r++) {
      for (const combo of COMBOS) {
        await withWorker(profile, server.url, async (page, w) => {
          const label = `${combo.reader} | ${combo.store}`
          const loaded = await runPhase(page, w.heapMB, { kind: 'load', reader: combo.reader, name: STORES[combo.store] }, combo.after.length > 0)
          loaded['heap after load and a full GC (MB)'] = await w.collected()
          add(`load | ${label}`, loaded)
          console.error(`run ${r + 1} load ${label}: ${JSON.stringify(loaded)}`)
          for (const step of combo.after) {
            const command: Exclude<Command, { kind: 'ping' }> = step === 'writes' ? { kind: 'writes', count: 10 } : { kind: step }
            const phase = await runPhase(page, w.heapMB, command, true)
            add(`${step} | ${label}`, phase)
            console.error(`run ${r + 1} ${step} ${label}: ${JSON.stringify(phase)}`)
          }
        })
      }
    }
  } finally {
    server.close()
    fs.rmSync(profile, { recursive: true, force: true })
  }
  yardstick.push(nodeApplyMs(data.dir))
  loads.push(os.loadavg()[0] ?? 0)
  console.log(`\nYardstick, the whole update applied in Node before / after: ${yardstick.map((x) => x.toFixed(0)).join(' / ')} ms; load average (1 min) ${loads.map((x) => x.toFixed(1)).join(' / ')}`)
  console.log(`\n## Worker storage at N = ${ITEMS} (medians of ${RUNS} runs; ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''})\n`)
  for (const [key, phases] of rows) {
    console.log(`\n### ${key}\n\n| measure | median | runs |\n|---|---|---|`)
    for (const measure of Object.keys(phases[0] ?? {})) {
      const xs = phases.map((p) => p[measure] ?? Number.NaN)
      console.log(`| ${measure} | ${median(xs).toFixed(1)} | ${xs.map((x) => x.toFixed(0)).join(', ')} |`)
    }
  }
  summary(rows)
}

/** The figures the recommendation rests on, one line per reader and store, one per operation. */
const summary = (rows: Map<string, Phase[]>): void => {
  const m = (key: string, measure: string): string => {
    const xs = (rows.get(key) ?? []).map((p) => p[measure] ?? Number.NaN)
    return xs.length ? median(xs).toFixed(0) : '–'
  }
  const cols = ['longest wait of a posted message (ms)', 'median wait (ms)', 'peak worker heap (MB)', 'peak renderer RSS (MB)']
  console.log('\n### Summary: cold load in the worker\n\n| reader | store | to loaded (ms) | longest wait (ms) | median wait (ms) | peak heap (MB) | peak RSS (MB) | heap after GC (MB) |\n|---|---|---|---|---|---|---|---|')
  for (const c of COMBOS) {
    const key = `load | ${c.reader} | ${c.store}`
    console.log(`| ${c.reader} | ${c.store} | ${m(key, 'to loaded (ms)')} | ${cols.map((col) => m(key, col)).join(' | ')} | ${m(key, 'heap after load and a full GC (MB)')} |`)
  }
  console.log('\n### Summary: writes, trim, compaction in the worker\n\n| operation | reader, store | total (ms) | longest wait (ms) | median wait (ms) | peak heap (MB) | peak RSS (MB) |\n|---|---|---|---|---|---|---|')
  const total: Record<string, string> = { writes: 'one edit written (ms, median)', trim: 'trim, until old updates deleted (ms)', compact: 'compact, until committed (ms)' }
  for (const c of COMBOS) {
    for (const step of c.after) {
      const key = `${step} | ${c.reader} | ${c.store}`
      console.log(`| ${step} | ${c.reader}, ${c.store} | ${m(key, total[step] ?? '')} | ${cols.map((col) => m(key, col)).join(' | ')} |`)
    }
  }
}

await main()
