/** A main-thread task Chromium reported as long (over 50 ms), in the page's clock. */
export interface LongTask {
  start: number
  duration: number
}

/** A long animation frame: its script time by invoker and its rendering time. */
export interface LongFrame {
  start: number
  duration: number
  /** From the frame's rendering start (rAF callbacks, style, layout) to its end. */
  renderMs: number
  styleLayoutMs: number
  scripts: Array<{ invoker: string; source: string; ms: number; forcedLayoutMs: number }>
}

/** What the page records for the bench: set up by an init script, before any app code runs. */
export interface Probe {
  /** False where the browser has no long-task timing: then no figure of it is trustworthy. */
  longTasksObserved: boolean
  longTasks: LongTask[]
  /** Chromium's long animation frames over 50 ms, with what ran in them (for finding causes). */
  longFrames: LongFrame[]
  /** Every click, change and key press, in the page's clock: an operation starts at the last one. */
  inputs: number[]
  /** First frame painted with a grid cell (on a cold load, from the grid cache). */
  firstGridPaint?: number
  /** When the app's HTML was parsed and its scripts ran (navigation timing), for the breakdown. */
  domContentLoaded?: number
  /** First frame with a live (not loading, `aria-busy`) grid cell. */
  editable?: number
  /** Frames painted while the grid was scrolled between first paint and editable. */
  loadFrames: number
  loadWorstFrameMs: number
}

/** The probe in a page function. */
export type ProbeWindow = Window & { strataBench: Probe }

/**
 * Runs in the page before the app. A buffered long-task observer; the time of every user
 * input; and, on a load, the frame painted after the first grid cell appears and after the
 * first live (editable) cell appears, scrolling the grid every frame in between.
 */
export const installProbe = (): void => {
  const probe: Probe = { longTasksObserved: false, longTasks: [], longFrames: [], inputs: [], loadFrames: 0, loadWorstFrameMs: 0 }
  Object.assign(window, { strataBench: probe })
  if (PerformanceObserver.supportedEntryTypes.includes('longtask')) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration })
    }).observe({ type: 'longtask', buffered: true })
    probe.longTasksObserved = true
  }
  if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
    type Script = { invoker: string; sourceURL: string; sourceFunctionName: string; duration: number; forcedStyleAndLayoutDuration: number }
    type Frame = PerformanceEntry & { renderStart: number; styleAndLayoutStart: number; scripts: Script[] }
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as Frame[]) {
        const end = e.startTime + e.duration
        probe.longFrames.push({
          start: e.startTime,
          duration: e.duration,
          renderMs: e.renderStart > 0 ? end - e.renderStart : 0,
          styleLayoutMs: e.styleAndLayoutStart > 0 ? end - e.styleAndLayoutStart : 0,
          scripts: e.scripts.map((s) => ({ invoker: s.invoker, source: `${s.sourceFunctionName}@${s.sourceURL.split('/').pop() ?? ''}`, ms: s.duration, forcedLayoutMs: s.forcedStyleAndLayoutDuration })),
        })
      }
    }).observe({ type: 'long-animation-frame', buffered: true })
  }
  for (const type of ['click', 'change', 'keydown']) addEventListener(type, (e) => probe.inputs.push(e.timeStamp), { capture: true })

  const afterPaint = (fn: (now: number) => void): void => {
    requestAnimationFrame(() => setTimeout(() => fn(performance.now()), 0))
  }
  const scrollWhileLoading = (): void => {
    let last = performance.now()
    let extent = 1
    let offset = 0
    const step = (now: number): void => {
      if (probe.editable !== undefined) return
      probe.loadFrames++
      probe.loadWorstFrameMs = Math.max(probe.loadWorstFrameMs, now - last)
      last = now
      // As a person's scroll does, only moves the grid: the extent is read every 30 frames, not
      // after each move, which would force a layout inside the frame on the app's account.
      const grid = document.querySelector<HTMLElement>('[role="grid"]')
      if (grid) {
        if (probe.loadFrames % 30 === 1) extent = Math.max(1, grid.scrollHeight - grid.clientHeight)
        offset = (offset + 240) % extent
        grid.scrollTop = offset
      }
      requestAnimationFrame(step)
    }
    requestAnimationFrame(step)
  }
  const observer = new MutationObserver(() => {
    if (probe.firstGridPaint === undefined && document.querySelector('[role="grid"] [role="gridcell"]:not([aria-busy])')) {
      probe.firstGridPaint = -1
      afterPaint((now) => {
        probe.firstGridPaint = now
        const nav = performance.getEntriesByType('navigation')[0]
        probe.domContentLoaded = nav instanceof PerformanceNavigationTiming ? nav.domContentLoadedEventEnd : undefined
        if (probe.editable === undefined) scrollWhileLoading()
      })
    }
    if (probe.editable === undefined && document.querySelector('[role="grid"]:not([aria-busy="true"]) [role="gridcell"]:not([aria-busy])')) {
      observer.disconnect()
      probe.editable = -1
      afterPaint((now) => (probe.editable = now))
    }
  })
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-busy'] })
}

/** What one operation cost the main thread, as a user feels it. */
export interface Cost {
  /** From the input that started it to the first frame showing it done. */
  wallMs: number
  longestTaskMs: number
  tasksOver50: number
}

/** The long tasks that overlap the window [from, to] of the page's clock. */
export const tasksIn = (tasks: LongTask[], from: number, to: number): LongTask[] => tasks.filter((t) => t.start + t.duration > from && t.start < to)

/** The cost of an operation from its windows of work: wall time summed, tasks over all of them. */
export const costOf = (tasks: LongTask[], windows: Array<{ start: number; done: number; settled: number }>): Cost => {
  const seen = new Set<LongTask>()
  for (const w of windows) for (const t of tasksIn(tasks, w.start, w.settled)) seen.add(t)
  const durations = [...seen].map((t) => t.duration)
  return {
    wallMs: windows.reduce((sum, w) => sum + (w.done - w.start), 0),
    longestTaskMs: Math.max(0, ...durations),
    tasksOver50: durations.filter((d) => d > 50).length,
  }
}
