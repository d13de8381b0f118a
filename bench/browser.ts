import * as Y from 'yjs'
import { maps } from '../src/domain/index.ts'
import { median } from './stats.ts'
import { launchBrowser } from '../test/e2e/browser.ts'
import { startServer } from '../test/e2e/server.ts'
import type { Cost } from './browserProbe.ts'
import { seedReference } from './browserSeed.ts'
import * as op from './browserOps.ts'
import { quiet, whenShown } from './browserSteps.ts'
import { ProjectPage } from '../test/e2e/pages/ProjectPage.ts'

/** One operation's costs over its runs, for the table. */
export interface OperationRow {
  operation: string
  runs: Cost[]
}

export interface BrowserFigures {
  figures: Record<string, number | string>
  operations: OperationRow[]
}

/** Runs `fn` `runs` times in order. */
const repeat = async <T>(runs: number, fn: (run: number) => Promise<T>): Promise<T[]> => {
  const out: T[] = []
  for (let r = 0; r < runs; r++) out.push(await fn(r))
  return out
}

const ms = (x: number): number => Math.round(x)

/** The restores, in order: versions spread over the history, each different from the last. */
const RESTORED = ['round 10', 'round 5', 'round 15', 'round 3', 'round 17']

/**
 * The browser side of `npm run bench`: the reference project (N items x 3 labels, 20 edit
 * rounds, a version after each, and a model run) served by the real sync server, in headless
 * Chromium, driven through the page as a person does. Every operation records its wall time,
 * its longest main-thread task and its tasks over 50 ms (a long-task observer installed
 * before the app's scripts).
 */
export async function benchBrowser(opts: { items: number; runs?: number }): Promise<BrowserFigures> {
  const runs = opts.runs ?? 5
  const few = Math.min(runs, 3)
  const server = await startServer({ STRATA_MAX_MESSAGE_BYTES: String(1024 * 2 ** 20), STRATA_MAX_BLOB_BYTES: String(1024 * 2 ** 20) })
  const browser = await launchBrowser()
  const seeded = await seedReference(server, opts.items).catch(async (e: unknown) => {
    await browser.close()
    await server.stop()
    throw e
  })
  const { ref } = seeded
  try {
    const items = maps(ref.doc).items.size
    // The project as the operations find it (they change it: discards, imports, restores).
    const start = { items, labels: maps(ref.doc).labels.size, versions: ref.versions.length, bytes: Y.encodeStateAsUpdate(ref.doc).byteLength }
    const link = server.link(seeded.id, seeded.token)

    // First visits, each on an empty device; the last device stays for the cold loads.
    const devices = await repeat(few, () => op.newDevice(browser))
    const first = await repeat(few, async (r) => {
      const device = devices[r]
      if (!device) throw new Error('no device')
      const visit = await op.firstVisit(device, link, items)
      await visit.page.page.close()
      if (r < few - 1) await device.close()
      return visit
    })
    const context = devices[few - 1]
    if (!context) throw new Error('no device')

    const cold = (await repeat(runs + 1, () => op.coldLoad(context, link, items))).slice(1)
    const during = cold.filter((c) => c.loadFps !== null)

    const page = await op.newTab(context)
    const project = new ProjectPage(page)
    await project.visit(link, 'Bench')
    await whenShown(page, { count: items, present: '[role="grid"]:not([aria-busy="true"]) [role="gridcell"]:not([aria-busy])' })
    await quiet(page)
    const heap = await op.heapMB(context, page)

    const older = ref.versions.slice(1, -1)
    const open = await repeat(runs, (r) => op.openOldVersion(project, older[(r * 7) % older.length] ?? older[0]!))
    const oldest = ref.versions[0]?.name ?? 'import'
    const newest = ref.versions[ref.versions.length - 1]?.name ?? ''
    const diff = await repeat(runs, () => op.compareOldestToLatest(project, oldest, newest))
    await page.getByRole('tab', { name: 'Items', exact: true }).click()
    const metrics = await repeat(few, () => op.evaluateRun(project))
    await page.getByRole('tab', { name: 'Items', exact: true }).click()
    const discard = await repeat(runs, () => op.discardRound(project, seeded))
    const cocoImages = Math.min(3_000, Math.floor(opts.items / runs))
    const coco = await repeat(runs, (r) => op.importCoco(project, r, cocoImages))
    const restore = await repeat(runs, (r) => op.restoreVersion(project, ref.versions.find((v) => v.name === RESTORED[r % RESTORED.length]) ?? older[r]!))
    const scrolls = await repeat(runs, () => op.scrollGrid(page, 2))
    await context.close()

    const operations: OperationRow[] = [
      { operation: 'cold load (IndexedDB) to editable, full count', runs: cold.map((c) => c.cost) },
      { operation: 'first visit (empty device) to editable, full count', runs: first.map((f) => f.cost) },
      { operation: 'open an old version, to its count of changes since', runs: open.map((o) => o.cost) },
      { operation: `diff: Compare "${oldest}" → Latest`, runs: diff },
      { operation: 'discard one edit round (a collaborator\'s)', runs: discard },
      { operation: 'restore a version (History)', runs: restore },
      { operation: `COCO import, ${cocoImages.toLocaleString('en')} images × 3 boxes (read + plan, apply)`, runs: coco },
      { operation: 'metrics: Quality view, Compute for a run', runs: metrics },
      { operation: 'grid scrolling, 2 s (for reference)', runs: scrolls.map((s) => s.cost) },
    ]
    const figures = {
      items: start.items,
      labels: start.labels,
      versions: start.versions,
      'document bytes': start.bytes,
      'first visit, to background work done and main thread quiet (ms)': ms(median(first.map((f) => f.settledMs))),
      'grid paints from cache: cold load, navigation to first painted cells (ms)': ms(median(cold.map((c) => c.paint))),
      'cold load: of which until DOMContentLoaded (ms)': ms(median(cold.map((c) => c.domContentLoaded))),
      'grid scrolling while loading (fps)': during.length ? Math.round(median(during.map((c) => c.loadFps ?? 0)) * 10) / 10 : 'n/a',
      'grid scrolling while loading, worst frame (ms)': during.length ? ms(median(during.map((c) => c.loadWorstFrameMs ?? 0))) : 'n/a',
      'open an old version to first grid paint (ms)': ms(median(open.map((o) => o.paint))),
      'grid scrolling (fps)': Math.round(median(scrolls.map((s) => s.fps)) * 10) / 10,
      'grid scrolling, worst frame (ms)': ms(median(scrolls.map((s) => s.worstFrameMs))),
      'memory of the open project, JS heap (MB)': ms(heap),
      runs,
      'runs of first visit and metrics': few,
    }
    return { figures, operations }
  } finally {
    seeded.close()
    await browser.close()
    await server.stop()
  }
}

/** The operations as a table: medians over the runs, and the worst run's longest task. */
export const operationTable = (rows: OperationRow[]): string[] => [
  '| operation | wall, median (ms) | longest task, median / worst run (ms) | tasks over 50 ms, median / all runs | runs | no task over 50 ms |',
  '|---|---|---|---|---|---|',
  ...rows.map((row) => {
    const worst = Math.max(0, ...row.runs.map((c) => c.longestTaskMs))
    const total = row.runs.reduce((n, c) => n + c.tasksOver50, 0)
    const wall = ms(median(row.runs.map((c) => c.wallMs)))
    const longest = ms(median(row.runs.map((c) => c.longestTaskMs)))
    return `| ${row.operation} | ${wall.toLocaleString('en')} | ${longest} / ${ms(worst)} | ${median(row.runs.map((c) => c.tasksOver50))} / ${total} | ${row.runs.length} | ${total === 0 ? 'yes' : 'no'} |`
  }),
]
