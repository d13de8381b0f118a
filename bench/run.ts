import { parseArgs } from 'node:util'
import os from 'node:os'
import { benchVersions, type Row } from './versions.ts'
import { fmt } from './stats.ts'
import { benchLayouts } from './layout.ts'

const { values } = parseArgs({
  options: {
    items: { type: 'string', multiple: true },
    runs: { type: 'string', default: '7' },
    only: { type: 'string' },
  },
})

const print = (title: string, rows: Row[]): void => {
  console.log(`\n## ${title}\n`)
  console.log('| operation | median | baseline (full copy per version) | ratio | budget | within |')
  console.log('|---|---|---|---|---|---|')
  for (const r of rows) {
    const ratio = r.baseline ? `${fmt(r.value / r.baseline, 3)}x` : ''
    const within = r.budget === undefined ? '' : r.value <= r.budget ? 'yes' : `no (${fmt(r.value / r.budget)}x)`
    console.log(`| ${r.operation} | ${fmt(r.value)} ${r.unit} | ${r.baseline ? `${fmt(r.baseline)} ${r.unit}` : ''} | ${ratio} | ${r.budget === undefined ? '' : `${fmt(r.budget)} ${r.unit}`} | ${within} |`)
  }
}

const main = async (): Promise<void> => {
  const sizes = (values.items ?? ['10000', '100000']).map(Number)
  const runs = Number(values.runs)
  console.log(`# Strata benchmarks\n\nmachine: ${os.cpus()[0]?.model ?? 'unknown'} x ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; medians of ${runs} runs`)
  for (const n of sizes) {
    if (values.only === 'layout') print(`Document layouts, N = ${n.toLocaleString('en')} items`, benchLayouts(n, runs))
    if (!values.only || values.only === 'versions') print(`Versions, N = ${n.toLocaleString('en')} items`, benchVersions(n, runs))
  }
}

void main()
