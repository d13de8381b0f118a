import * as Y from 'yjs'
import type { BrowserContext, Page } from 'playwright-core'
import { maps } from '../src/domain/index.ts'
import { buildReference } from './reference.ts'
import { median } from './stats.ts'
import { launchBrowser } from '../test/e2e/browser.ts'
import { startServer } from '../test/e2e/server.ts'
import { connectReplica } from '../test/e2e/seed.ts'

/** What the page records for the bench: set up before any app code runs. */
interface Probe {
  firstGridPaint?: number
  /** When the app's HTML was parsed and its scripts ran (navigation timing), for the breakdown. */
  domContentLoaded?: number
  /** First frame with a live (not loading, `aria-busy`) grid cell. */
  editable?: number
  /** Frames painted while the grid was scrolled between first paint and editable. */
  loadFrames: number
  loadWorstFrameMs: number
}

/**
 * Runs in the page before the app: records `performance.now()` at the first frame painted
 * after the first grid cell appears, and after the first live (editable) cell appears; in
 * between it scrolls the grid every frame and counts frames, so cold load is measured
 * without depending on the app.
 */
const installProbe = (): void => {
  const probe: Probe = { loadFrames: 0, loadWorstFrameMs: 0 }
  Object.assign(window, { strataBench: probe })
  const afterPaint = (fn: (now: number) => void): void => {
    requestAnimationFrame(() => setTimeout(() => fn(performance.now()), 0))
  }
  const scrollWhileLoading = (): void => {
    let last = performance.now()
    const step = (now: number): void => {
      if (probe.editable !== undefined) return
      probe.loadFrames++
      probe.loadWorstFrameMs = Math.max(probe.loadWorstFrameMs, now - last)
      last = now
      const grid = document.querySelector<HTMLElement>('[role="grid"]')
      if (grid) grid.scrollTop = (grid.scrollTop + 240) % Math.max(1, grid.scrollHeight - grid.clientHeight)
      requestAnimationFrame(step)
    }
    requestAnimationFrame(step)
  }
  const observer = new MutationObserver(() => {
    if (probe.firstGridPaint === undefined && document.querySelector('[role="grid"] [role="gridcell"]')) {
      probe.firstGridPaint = -1
      afterPaint((now) => {
        probe.firstGridPaint = now
        const nav = performance.getEntriesByType('navigation')[0]
        probe.domContentLoaded = nav instanceof PerformanceNavigationTiming ? nav.domContentLoadedEventEnd : undefined
        if (probe.editable === undefined) scrollWhileLoading()
      })
    }
    if (probe.editable === undefined && document.querySelector('[role="grid"]:not([aria-busy="true"]) [role="gridcell"]')) {
      observer.disconnect()
      probe.editable = -1
      afterPaint((now) => (probe.editable = now))
    }
  })
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-busy'] })
}

const NAME_KEY_WAIT = 60_000
/** How long a cold-load tab stays open after it became editable. */
const SETTLE_MS = 3_000

/** Opens the link, answers the name prompt if asked, and waits for grid cells. */
const openProject = async (page: Page, link: string): Promise<void> => {
  await page.goto(link)
  const nameInput = page.getByLabel('Your name', { exact: true })
  // A live cell: a cold start first paints a read-only (aria-busy) grid from the grid cache.
  const cell = page.locator('[role="grid"]:not([aria-busy="true"]) [role="gridcell"]').first()
  await nameInput.or(cell).first().waitFor({ timeout: NAME_KEY_WAIT })
  if (await nameInput.isVisible()) {
    await nameInput.fill('Bench')
    await page.getByRole('button', { name: 'Continue', exact: true }).click()
  }
  await cell.waitFor({ timeout: NAME_KEY_WAIT })
}

/** The item count the explorer shows (`100,500 items`), or null while none is shown. */
const shownCount = async (page: Page): Promise<number | null> => {
  const text = await page.getByText(/^\s*[\d,]+ items?\s*$/).first().textContent({ timeout: 1_000 }).catch(() => null)
  return text === null ? null : Number(text.replace(/[^\d]/g, ''))
}

const waitForCount = async (page: Page, expected: number, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while ((await shownCount(page)) !== expected) {
    if (Date.now() > deadline) throw new Error(`The explorer never showed ${expected} items (it shows ${String(await shownCount(page))})`)
    await page.waitForTimeout(100)
  }
}

type ColdLoad = { paint: number; domContentLoaded: number; editable: number; loadFps: number | null; loadWorstFrameMs: number | null }

/** Cold load: a new tab of a context whose IndexedDB already holds the project, to first grid paint and to editable. */
const coldLoad = async (context: BrowserContext, link: string): Promise<ColdLoad> => {
  const page = await context.newPage()
  await page.addInitScript(installProbe)
  await page.goto(link)
  const handle = await page.waitForFunction(
    () => {
      const p = (window as unknown as { strataBench: Probe }).strataBench
      return p.editable !== undefined && p.editable > 0 && p.firstGridPaint !== undefined && p.firstGridPaint > 0 ? p : null
    },
    undefined,
    { timeout: NAME_KEY_WAIT },
  )
  const p = (await handle.jsonValue()) as Probe
  if (process.env.STRATA_BENCH_MARKS) {
    const marks = await page.evaluate(() => performance.getEntries().filter((e) => e.name.startsWith('strata:')).map((e) => `${e.name} @${Math.round(e.startTime)} +${Math.round(e.duration)}`))
    console.error(`cold load: paint ${Math.round(p.firstGridPaint ?? 0)}, editable ${Math.round(p.editable ?? 0)}; ${marks.join('; ')}`)
  }
  // Let the app finish what it does after loading (grid cache, storage compaction) as a user would.
  await page.waitForTimeout(SETTLE_MS)
  await page.close()
  const paint = p.firstGridPaint ?? 0
  const editable = p.editable ?? 0
  const loading = editable - paint
  return {
    paint,
    domContentLoaded: p.domContentLoaded ?? Number.NaN,
    editable,
    loadFps: p.loadFrames > 1 && loading > 0 ? (p.loadFrames * 1000) / loading : null,
    loadWorstFrameMs: p.loadFrames > 1 ? p.loadWorstFrameMs : null,
  }
}

type OpenTimes = { paint: number; counted: number; longestTaskMs: number }

/**
 * Picks a version in the sidebar and times, in the page, the change to the first frame
 * showing its item count, then to the banner's count of changes on latest since, with the
 * longest main-thread task in between (what a user feels as a freeze).
 */
const openOldVersion = async (page: Page, versionName: string, expectedCount: number): Promise<OpenTimes> => {
  const picker = await page.getByRole('combobox', { name: 'Version', exact: true }).elementHandle()
  const times = await page.evaluate(
    ({ select, name, count }) =>
      new Promise<OpenTimes>((resolve, reject) => {
        const option = [...(select instanceof HTMLSelectElement ? select.options : [])].find((o) => (o.textContent ?? '').trim().startsWith(`${name} —`))
        if (!(select instanceof HTMLSelectElement) || !option) return reject(new Error(`No version "${name}" in the Version picker`))
        const banner = (): string => [...document.querySelectorAll('[role="status"]')].map((el) => el.textContent ?? '').find((text) => /read-only/i.test(text)) ?? ''
        const shows = (): boolean => {
          const counted = [...document.querySelectorAll('body *')].some((el) => el.childElementCount === 0 && Number((el.textContent ?? '').replace(/[^\d]/g, '')) === count && /items?\s*$/.test(el.textContent ?? ''))
          return banner() !== '' && counted && document.querySelector('[role="grid"] [role="gridcell"]') !== null
        }
        const tasks: number[] = []
        const longTasks = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)))
        longTasks.observe({ type: 'longtask' })
        const start = performance.now()
        let paint: number | null = null
        const observer = new MutationObserver(() => {
          if (paint === null && shows()) requestAnimationFrame(() => setTimeout(() => (paint ??= performance.now() - start), 0))
          if (!/Latest has had/.test(banner())) return
          observer.disconnect()
          const counted = performance.now() - start
          // Long-task entries arrive after the task: give them a moment.
          setTimeout(() => {
            longTasks.disconnect()
            resolve({ paint: paint ?? counted, counted, longestTaskMs: Math.max(0, ...tasks) })
          }, 200)
        })
        observer.observe(document.body, { childList: true, subtree: true, characterData: true })
        select.value = option.value
        select.dispatchEvent(new Event('change', { bubbles: true }))
        setTimeout(() => reject(new Error('The old version never showed its count of changes since')), 60_000)
      }),
    { select: picker, name: versionName, count: expectedCount },
  )
  await page.getByRole('button', { name: 'Back to latest' }).click()
  await page.getByRole('status').filter({ hasText: /read-only/i }).waitFor({ state: 'detached' })
  return times
}

/** JS heap of the tab after a collection, in MB (Chrome DevTools Protocol). */
const heapMB = async (context: BrowserContext, page: Page): Promise<number> => {
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = await cdp.send('Performance.getMetrics')
  await cdp.detach()
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN) / 1e6
}

/** Scrolls the grid programmatically for `seconds`, counting animation frames. */
const scrollFps = (page: Page, seconds: number): Promise<{ fps: number; worstFrameMs: number }> =>
  page.evaluate(
    (duration) =>
      new Promise<{ fps: number; worstFrameMs: number }>((resolve, reject) => {
        const grid = document.querySelector<HTMLElement>('[role="grid"]')
        let scroller: HTMLElement | null = grid
        while (scroller && !(scroller.scrollHeight > scroller.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(scroller).overflowY))) scroller = scroller.parentElement
        if (!scroller) return reject(new Error('The grid does not scroll'))
        const target = scroller
        target.scrollTop = 0
        let frames = 0
        let worst = 0
        const start = performance.now()
        let last = start
        const step = (now: number): void => {
          frames++
          worst = Math.max(worst, now - last)
          last = now
          target.scrollTop = (target.scrollTop + 240) % Math.max(1, target.scrollHeight - target.clientHeight)
          if (now - start < duration * 1000) requestAnimationFrame(step)
          else resolve({ fps: (frames * 1000) / (now - start), worstFrameMs: worst })
        }
        requestAnimationFrame(step)
      }),
    seconds,
  )

/**
 * The browser side of `npm run bench`: the reference project (N items x 3 labels, 20 edit
 * rounds, a version after each) served by the real sync server, in headless Chromium.
 */
export async function benchBrowser(opts: { items: number; runs?: number }): Promise<Record<string, number | string>> {
  const runs = opts.runs ?? 5
  const ref = buildReference(opts.items)
  const update = Y.encodeStateAsUpdate(ref.doc)
  const server = await startServer({ STRATA_MAX_MESSAGE_BYTES: String(Math.max(64 * 2 ** 20, update.byteLength * 2)) })
  const browser = await launchBrowser()
  try {
    const { id, token } = await server.createProject(`Reference ${opts.items}`)
    const seeder = await connectReplica(server, id, token)
    Y.applyUpdate(seeder.doc, update)
    const check = await connectReplica(server, id, token)
    const itemCount = maps(ref.doc).items.size
    const deadline = Date.now() + 300_000
    while (maps(check.doc).items.size < itemCount) {
      if (Date.now() > deadline) throw new Error('The server never held the reference project')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    check.close()
    seeder.close()

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    // tsx keeps function names with a `__name` helper that page functions carry along.
    await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn' })
    const link = server.link(id, token)
    const first = await context.newPage()
    const firstStart = performance.now()
    await openProject(first, link)
    await waitForCount(first, itemCount, 300_000)
    const firstVisit = performance.now() - firstStart
    await first.getByTestId('sync-status').filter({ hasText: /^\s*Online/ }).waitFor({ timeout: 300_000 })
    // The app's background work after a first sync: storage compaction and the grid cache.
    await first.waitForFunction(() => ['strata:compacted', 'strata:grid-cached'].every((m) => performance.getEntriesByName(m).length > 0), undefined, { timeout: 300_000 }).catch(() => undefined)
    const settled = performance.now() - firstStart
    await first.close()

    const cold: ColdLoad[] = []
    for (let r = 0; r < runs + 1; r++) cold.push(await coldLoad(context, link))
    cold.shift()
    const during = cold.filter((c) => c.loadFps !== null)

    const page = await context.newPage()
    await openProject(page, link)
    await waitForCount(page, itemCount, 300_000)
    const heap = await heapMB(context, page)
    const open: OpenTimes[] = []
    for (let r = 0; r < runs; r++) {
      const v = 1 + ((r * 7) % (ref.versions.length - 1))
      const version = ref.versions[v]
      if (!version) continue
      open.push(await openOldVersion(page, version.name, version.stats.items))
    }
    const scrolls: Array<{ fps: number; worstFrameMs: number }> = []
    for (let r = 0; r < runs; r++) scrolls.push(await scrollFps(page, 2))
    await context.close()

    return {
      items: itemCount,
      labels: maps(ref.doc).labels.size,
      versions: ref.versions.length,
      'document bytes': update.byteLength,
      'first visit, server to full count (ms)': Math.round(firstVisit),
      'first visit, to storage compacted and grid cached (ms)': Math.round(settled),
      'cold load from IndexedDB to first grid paint (ms)': Math.round(median(cold.map((c) => c.paint))),
      'cold load: of which until DOMContentLoaded (ms)': Math.round(median(cold.map((c) => c.domContentLoaded))),
      'cold load from IndexedDB to editable (ms)': Math.round(median(cold.map((c) => c.editable))),
      'grid scrolling while loading (fps)': during.length ? Math.round(median(during.map((c) => c.loadFps ?? 0)) * 10) / 10 : 'n/a',
      'grid scrolling while loading, worst frame (ms)': during.length ? Math.round(median(during.map((c) => c.loadWorstFrameMs ?? 0))) : 'n/a',
      'open an old version to first grid paint (ms)': Math.round(median(open.map((o) => o.paint))),
      'open an old version to its count of changes since (ms)': Math.round(median(open.map((o) => o.counted))),
      'open an old version: longest main-thread task (ms)': Math.round(median(open.map((o) => o.longestTaskMs))),
      'grid scrolling (fps)': Math.round(median(scrolls.map((s) => s.fps)) * 10) / 10,
      'memory of the open project, JS heap (MB)': Math.round(heap),
      'grid scrolling, worst frame (ms)': Math.round(median(scrolls.map((s) => s.worstFrameMs))),
      runs,
    }
  } finally {
    await browser.close()
    await server.stop()
  }
}
