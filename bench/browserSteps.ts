import type { Page } from 'playwright-core'
import type { LongTask, ProbeWindow } from './browserProbe.ts'

/** What the screen shows when an operation is done, as a person reads it (text, roles, labels). */
export interface Expect {
  /** The explorer's (or an old version's) item count, `100,500 items`. */
  count?: number
  /** Text that must be on the page. */
  texts?: string[]
  /** An element whose whole text is this (`0 changes`). */
  leaf?: string
  /** Whether the read-only banner of an old version is shown. */
  readOnly?: boolean
  /** A CSS selector of roles and labels that must match. */
  present?: string
  /** … and one that must not. */
  absent?: string
}

/** In the page: does it show `e`? Self-contained, as Playwright sends it to the page as source. */
export const shows = (e: Expect): boolean => {
  const body = document.body.textContent ?? ''
  if (e.texts && !e.texts.every((t) => body.includes(t))) return false
  if (e.present && !document.querySelector(e.present)) return false
  if (e.absent && document.querySelector(e.absent)) return false
  if (e.readOnly !== undefined) {
    const banner = [...document.querySelectorAll('[role="status"]')].some((el) => /read-only/i.test(el.textContent ?? ''))
    if (banner !== e.readOnly) return false
  }
  if (e.count === undefined && e.leaf === undefined) return true
  // Leaf elements holding a text, found by the browser's own XPath: walking every element in
  // script each frame (this runs every frame while the bench waits) cost the page milliseconds
  // of main-thread time per frame, counted against the app.
  const leaves = (contains: string): string[] => {
    const found = document.evaluate(`//body//*[not(*) and contains(., ${JSON.stringify(contains)})]`, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null)
    return Array.from({ length: found.snapshotLength }, (_, i) => (found.snapshotItem(i)?.textContent ?? '').trim())
  }
  if (e.leaf !== undefined && !leaves(e.leaf).includes(e.leaf)) return false
  return e.count === undefined || leaves(' item').some((t) => /^[\d,]+ items?$/.test(t) && Number(t.replace(/[^\d]/g, '')) === e.count)
}

/**
 * Resolves with the page's clock within 20 ms of the screen showing `e`. Polled on a timer, not
 * per animation frame: a headless tab now and then stops running frame callbacks (about one run
 * in ten), which left the bench waiting its full timeout.
 */
export const whenShown = async (page: Page, e: Expect, timeoutMs = 600_000): Promise<number> => {
  const handle = await page.waitForFunction(`(${shows.toString()})(${JSON.stringify(e)}) && performance.now()`, undefined, { polling: 20, timeout: timeoutMs })
  return (await handle.jsonValue()) as number
}

/** One stretch of work: from the input that started it to the frame that showed it done, then until the main thread was quiet. */
export interface Span {
  start: number
  done: number
  settled: number
}

const QUIET_MS = 2_000
const QUIET_MAX_MS = 120_000

/**
 * Waits until the main thread has had no long task for 2 s (at most 2 min), so work the
 * operation left behind (a cache write, a compaction) is counted with it; answers that moment.
 */
export const quiet = async (page: Page): Promise<number> => {
  const deadline = Date.now() + QUIET_MAX_MS
  for (;;) {
    const { now, lastEnd } = await page.evaluate(() => {
      const tasks = (window as unknown as ProbeWindow).strataBench.longTasks
      const last = tasks[tasks.length - 1]
      return { now: performance.now(), lastEnd: last ? last.start + last.duration : 0 }
    })
    if (now - lastEnd >= QUIET_MS || Date.now() > deadline) return now
    await page.waitForTimeout(Math.max(100, QUIET_MS - (now - lastEnd)))
  }
}

/**
 * Does what a person does (`act`, through the page objects), then waits for the screen to
 * show `e`. The span starts at the last click, change or key press `act` made, so the
 * bench's own round trips do not count.
 */
export const step = async (page: Page, act: () => Promise<void>, e: Expect, timeoutMs?: number): Promise<Span> => {
  const before = await page.evaluate(() => performance.now())
  await act()
  const done = await whenShown(page, e, timeoutMs)
  const inputs = await page.evaluate((since) => (window as unknown as ProbeWindow).strataBench.inputs.filter((at) => at >= since && at <= performance.now()), before)
  const start = inputs.filter((at) => at <= done).pop() ?? before
  return { start, done, settled: await quiet(page) }
}

/** The long tasks the page has seen so far. */
export const longTasks = (page: Page): Promise<LongTask[]> => page.evaluate(() => (window as unknown as ProbeWindow).strataBench.longTasks)
