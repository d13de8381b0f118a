import { parseArgs } from 'node:util'
import os from 'node:os'
import { benchVersions, type Row } from './versions.ts'
import { benchLayouts } from './layout.ts'
import { benchShards, warmUpShards } from './shards.ts'
import { benchMigrate } from './migrate.ts'
import { benchSync } from './sync.ts'
import { benchCluster } from './cluster.ts'
import { benchFirstSync } from './firstSync.ts'
import { benchBrowser, operationTable } from './browser.ts'
import { benchImport } from './io.ts'
import { benchMetrics } from './quality.ts'
import { fmt } from './stats.ts'
import { ensureBuiltApp } from './build.ts'

const { values } = parseArgs({
  options: {
    items: { type: 'string', multiple: true },
    runs: { type: 'string', default: '7' },
    clients: { type: 'string' },
    seconds: { type: 'string' },
    rate: { type: 'string' },
    threads: { type: 'string' },
    'join-seconds': { type: 'string' },
    only: { type: 'string', multiple: true },
    shards: { type: 'string', multiple: true },
    rounds: { type: 'string' },
  },
})

const sections = values.only ?? ['versions', 'sync', 'cluster', 'browser', 'io', 'quality']

const print = (title: string, rows: Row[], baseline = 'full copy per version'): void => {
  console.log(`\n## ${title}\n`)
  console.log(`| operation | median | baseline (${baseline}) | ratio | budget | within |`)
  console.log('|---|---|---|---|---|---|')
  for (const r of rows) {
    const ratio = r.baseline ? `${fmt(r.value / r.baseline, 3)}x` : ''
    const within = r.budget === undefined ? '' : r.value <= r.budget ? 'yes' : `no (${fmt(r.value / r.budget)}x)`
    console.log(`| ${r.operation} | ${fmt(r.value)} ${r.unit} | ${r.baseline ? `${fmt(r.baseline)} ${r.unit}` : ''} | ${ratio} | ${r.budget === undefined ? '' : `${fmt(r.budget)} ${r.unit}`} | ${within} |`)
  }
}

const printRecord = (title: string, record: Record<string, number | string>): void => {
  console.log(`\n## ${title}\n`)
  console.log('| measure | value |\n|---|---|')
  for (const [k, v] of Object.entries(record)) console.log(`| ${k} | ${typeof v === 'number' ? fmt(v) : v} |`)
}

// A failed run says so on a line of its own and makes the whole bench exit non-zero.
const failures: string[] = []
const fail = (reasons: string[]): void => {
  for (const reason of reasons) console.log(`FAIL ${reason}`)
  failures.push(...reasons)
}

const main = async (): Promise<void> => {
  const sizes = (values.items ?? ['10000', '100000']).map(Number)
  const runs = Number(values.runs)
  const cpu = os.cpus()
  if (sections.includes('browser')) ensureBuiltApp()
  console.log(`# Strata benchmarks\n\nmachine: ${cpu[0]?.model ?? 'unknown'} x ${cpu.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; medians of ${runs} runs`)
  if (sections.includes('sync')) {
    const crowds = await benchSync({ clients: values.clients === undefined ? undefined : Number(values.clients), seconds: values.seconds === undefined ? undefined : Number(values.seconds) })
    for (const c of crowds) {
      printRecord(`Sync server, ${c.title}`, c.figures)
      fail(c.failures)
    }
  }
  if (sections.includes('cluster')) {
    const seconds = values.seconds === undefined ? undefined : Number(values.seconds)
    const threads = values.threads === undefined ? undefined : Number(values.threads)
    const joinSeconds = values['join-seconds'] === undefined ? undefined : Number(values['join-seconds'])
    for (const c of await benchCluster({ rate: values.rate === undefined ? undefined : Number(values.rate), seconds, threads, joinSeconds })) {
      printRecord(`Sync cluster, ${c.title}`, c.figures)
      fail(c.failures)
    }
  }
  for (const n of sizes) {
    const size = n.toLocaleString('en')
    if (sections.includes('layout')) print(`Document layouts, N = ${size} items`, benchLayouts(n, runs))
    if (sections.includes('shards')) {
      // The single document (S = 1) is built only where it fits: 1M items in one Y.Doc does not.
      const counts = values.shards?.map(Number) ?? (n <= 300_000 ? [1, 16, 64, 256, 1024] : [16, 64, 256, 1024])
      warmUpShards()
      for (const count of counts) {
        const c = benchShards(n, runs, count, values.rounds === undefined ? 20 : Number(values.rounds))
        print(`Shards, N = ${size} items, ${c.title}`, c.rows, 'a full copy')
      }
    }
    if (sections.includes('versions')) print(`Versions, N = ${size} items`, benchVersions(n, runs))
    if (sections.includes('migrate')) print(`Migration to shards, N = ${size} items`, benchMigrate(n, Math.min(runs, 3), values.rounds === undefined ? 20 : Number(values.rounds)), 'loading the old document')
    if (sections.includes('sync')) printRecord(`Sync server, first sync, N = ${size} items`, await benchFirstSync({ items: n }))
    if (sections.includes('io')) printRecord(`Import, N = ${size} items`, await benchImport({ items: n, runs: Math.min(runs, 3) }))
    if (sections.includes('quality')) printRecord(`Model quality, N = ${size} items`, await benchMetrics({ items: n, runs: Math.min(runs, 3) }))
    if (sections.includes('browser')) {
      const { figures, operations } = await benchBrowser({ items: n, runs: Math.min(runs, 5) })
      printRecord(`Browser (Chromium, headless), N = ${size} items`, figures)
      console.log(`\n### Main thread per operation, N = ${size} items (long tasks: Chromium's, over 50 ms)\n`)
      for (const line of operationTable(operations)) console.log(line)
    }
  }
}

// Exit explicitly: a browser or client library may leave a handle open after its section.
main().then(
  () => process.exit(failures.length === 0 ? 0 : 1),
  (e: unknown) => {
    console.error(e)
    process.exit(1)
  },
)
