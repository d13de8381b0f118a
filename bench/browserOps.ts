import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type * as D from '../src/domain/index.ts'
import { ProjectPage } from '../test/e2e/pages/ProjectPage.ts'
import { ComparePanel } from '../test/e2e/pages/ComparePanel.ts'
import { QualityPanel } from '../test/e2e/pages/QualityPanel.ts'
import { type Cost, type Probe, type ProbeWindow, costOf, installProbe } from './browserProbe.ts'
import { type Span, longTasks, quiet, step, whenShown } from './browserSteps.ts'
import { type SeededReference, cocoBatch } from './browserSeed.ts'

/** A live (not loading, `aria-busy`) grid cell. */
const LIVE_CELL = '[role="grid"]:not([aria-busy="true"]) [role="gridcell"]:not([aria-busy])'
const TIMEOUT = 600_000

/** A fresh context as a new device: the same window size as the e2e tests. */
export const newDevice = async (browser: Browser): Promise<BrowserContext> => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
  // tsx keeps function names with a `__name` helper that page functions carry along.
  await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn' })
  return context
}

/** A tab with the probe installed before the app's scripts run. */
export const newTab = async (context: BrowserContext): Promise<Page> => {
  const page = await context.newPage()
  page.setDefaultTimeout(TIMEOUT)
  await page.addInitScript(installProbe)
  return page
}

const cost = async (page: Page, spans: Span[]): Promise<Cost> => costOf(await longTasks(page), spans)

/** The performance marks today's app sets when its background work after a first sync is done. */
const BACKGROUND_DONE = ['strata:compacted', 'strata:grid-cached']
const BACKGROUND_WAIT_MS = 300_000

/**
 * First visit on an empty device: from navigation to the full count shown and editable.
 * Then, as a person leaves the tab open, until the app's background work is done (storage
 * compacted, grid cache written: its marks, where the app sets them) and the main thread is
 * quiet; that work's tasks count with the visit, and the cold loads start from what it left.
 */
export const firstVisit = async (context: BrowserContext, link: string, items: number): Promise<{ cost: Cost; settledMs: number; page: ProjectPage }> => {
  const page = await newTab(context)
  const project = new ProjectPage(page)
  await project.visit(link, 'Bench')
  const done = await whenShown(page, { count: items, present: LIVE_CELL }, TIMEOUT)
  await page
    .waitForFunction((marks) => marks.every((m) => performance.getEntriesByName(m).length > 0), BACKGROUND_DONE, { timeout: BACKGROUND_WAIT_MS })
    .catch(() => undefined)
  const span = { start: 0, done, settled: await quiet(page) }
  return { cost: await cost(page, [span]), settledMs: span.settled, page: project }
}

export type ColdLoad = { cost: Cost; paint: number; domContentLoaded: number; loadFps: number | null; loadWorstFrameMs: number | null }

/** Cold load: a new tab of a device whose IndexedDB holds the project; to first grid paint (from the cache) and to editable. */
export const coldLoad = async (context: BrowserContext, link: string, items: number): Promise<ColdLoad> => {
  const page = await newTab(context)
  await page.goto(link)
  const loaded = (): Probe | null => {
    const p = (window as unknown as ProbeWindow).strataBench
    return p.editable !== undefined && p.editable > 0 && p.firstGridPaint !== undefined && p.firstGridPaint > 0 ? p : null
  }
  const p = (await (await page.waitForFunction(loaded, undefined, { timeout: TIMEOUT })).jsonValue()) as Probe
  const done = Math.max(p.editable ?? 0, await whenShown(page, { count: items, present: LIVE_CELL }))
  const c = await cost(page, [{ start: 0, done, settled: await quiet(page) }])
  await page.close()
  const paint = p.firstGridPaint ?? 0
  const loading = (p.editable ?? 0) - paint
  return {
    cost: c,
    paint,
    domContentLoaded: p.domContentLoaded ?? Number.NaN,
    loadFps: p.loadFrames > 1 && loading > 0 ? (p.loadFrames * 1000) / loading : null,
    loadWorstFrameMs: p.loadFrames > 1 ? p.loadWorstFrameMs : null,
  }
}

/** Opens a version from the sidebar's picker: to its first grid paint, and to the banner's count of changes since. */
export const openOldVersion = async (project: ProjectPage, version: D.Version): Promise<{ cost: Cost; paint: number }> => {
  const page = project.page
  const painted = whenShown(page, { readOnly: true, count: version.stats.items, present: '[role="grid"] [role="gridcell"]:not([aria-busy])' })
  const span = await step(page, () => project.sidebar.openVersion(version.name), { readOnly: true, count: version.stats.items, texts: ['Latest has had'] })
  const paint = (await painted) - span.start
  const c = await cost(page, [span])
  await project.backToLatest()
  await quiet(page)
  return { cost: c, paint }
}

/** The Compare view from the oldest version to latest, one run after resetting From to the newest version. */
export const compareOldestToLatest = async (project: ProjectPage, oldest: string, newest: string): Promise<Cost> => {
  const page = project.page
  const compare = new ComparePanel(page)
  if ((await compare.from.count()) === 0) await compare.show()
  await compare.pick('from', newest)
  await whenShown(page, { texts: [`from “${newest}” to “Latest”`] })
  await quiet(page)
  const span = await step(page, () => compare.pick('from', oldest), { present: '[data-testid="compare-total"]', texts: [`from “${oldest}” to “Latest”`] })
  return cost(page, [span])
}

/** The Quality view: Compute for the project's run against latest, to the table of metrics. */
export const evaluateRun = async (project: ProjectPage): Promise<Cost> => {
  const page = project.page
  const quality = new QualityPanel(page)
  await quality.open()
  const clear = page.getByRole('button', { name: 'Clear results', exact: true })
  if ((await clear.count()) > 0) await clear.click()
  await quality.table.waitFor({ state: 'detached' })
  await quiet(page)
  const span = await step(page, () => page.getByRole('button', { name: 'Compute', exact: true }).click(), {
    present: 'table[aria-label="Metrics per class"]',
    absent: '[aria-label="Model quality"] [role="status"]',
  })
  return cost(page, [span])
}

const waitFor = async (ok: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + TIMEOUT
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** A collaborator's edit round arrives; then Discard changes, to the project back at the last version. */
export const discardRound = async (project: ProjectPage, seeded: SeededReference): Promise<Cost> => {
  const page = project.page
  const before = seeded.liveItems()
  seeded.editRound()
  await whenShown(page, { count: seeded.liveItems() })
  await quiet(page)
  const span = await step(page, () => project.versionPanel.discardChanges(), { count: before, leaf: '0 changes', texts: ['Changes discarded.'] })
  await waitFor(() => seeded.liveItems() === before, 'the discard to reach the collaborator')
  return cost(page, [span])
}

/**
 * COCO import of annotations for `images` items, as a person does it: choose the file (read
 * and planned, to the dialog that says what it will do), then Import (to the report).
 */
export const importCoco = async (project: ProjectPage, run: number, images: number): Promise<Cost> => {
  const page = project.page
  const name = `coco-${run + 1}.json`
  const batch = cocoBatch(run * images, images)
  // From a file on disk, as the file picker gives it: a buffer would be copied into the page by
  // the driver's own script, a long task of the bench's and not the app's.
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-bench-'))
  const file = path.join(dir, name)
  writeFileSync(file, batch.text)
  const chosen = await step(page, () => page.locator('input[type=file][accept=".json,application/json"]').first().setInputFiles(file), {
    present: `[role="dialog"][aria-label="Import ${name}"]`,
    texts: ['matched by file name'],
  }).finally(() => rmSync(dir, { recursive: true, force: true }))
  const dialog = page.getByRole('dialog', { name: `Import ${name}` })
  const applied = await step(page, () => dialog.getByRole('button', { name: 'Import', exact: true }).click(), {
    present: '[role="status"][aria-label="COCO import report"]',
    texts: ['labels added'],
  })
  return cost(page, [chosen, applied])
}

/** History → Restore a version, confirmed, to latest showing it. */
export const restoreVersion = async (project: ProjectPage, version: D.Version): Promise<Cost> => {
  const page = project.page
  // The version's own row, not the "Before restoring "…"" record of an earlier restore.
  const row = new RegExp(`(?<!")${version.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\d"])`)
  const span = await step(page, () => project.history.restore(row), { count: version.stats.items, texts: [`Latest now matches "${version.name}"`] })
  return cost(page, [span])
}

/** JS heap of the tab after a collection, in MB (Chrome DevTools Protocol). */
export const heapMB = async (context: BrowserContext, page: Page): Promise<number> => {
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = await cdp.send('Performance.getMetrics')
  await cdp.detach()
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN) / 1e6
}

/** Scrolls the grid programmatically for `seconds`, counting animation frames; with the long tasks meanwhile. */
export const scrollGrid = async (page: Page, seconds: number): Promise<{ fps: number; worstFrameMs: number; cost: Cost }> => {
  const frames = await page.evaluate(
    (duration) =>
      new Promise<{ fps: number; worstFrameMs: number; start: number; end: number }>((resolve, reject) => {
        let scroller = document.querySelector<HTMLElement>('[role="grid"]')
        while (scroller && !(scroller.scrollHeight > scroller.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(scroller).overflowY))) scroller = scroller.parentElement
        if (!scroller) return reject(new Error('The grid does not scroll'))
        const target = scroller
        target.scrollTop = 0
        // Read once: reading the extent or the position after each move forces a layout inside the frame.
        const extent = Math.max(1, target.scrollHeight - target.clientHeight)
        let offset = 0
        let count = 0
        let worst = 0
        const start = performance.now()
        let last = start
        const tick = (now: number): void => {
          count++
          worst = Math.max(worst, now - last)
          last = now
          offset = (offset + 240) % extent
          target.scrollTop = offset
          if (now - start < duration * 1000) requestAnimationFrame(tick)
          else resolve({ fps: (count * 1000) / (now - start), worstFrameMs: worst, start, end: now })
        }
        requestAnimationFrame(tick)
      }),
    seconds,
  )
  const c = await cost(page, [{ start: frames.start, done: frames.end, settled: frames.end }])
  return { fps: frames.fps, worstFrameMs: frames.worstFrameMs, cost: c }
}
