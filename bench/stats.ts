/** Median of a list of numbers. */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

/** Milliseconds one call of `fn` takes. */
export const time = (fn: () => unknown): number => {
  const start = performance.now()
  fn()
  return performance.now() - start
}

/** Median milliseconds over `runs` calls, each after an untimed `setup`. */
export const medianTime = (runs: number, fn: () => unknown, setup?: () => unknown): number => {
  const xs: number[] = []
  for (let i = 0; i < runs; i++) {
    setup?.()
    xs.push(time(fn))
  }
  return median(xs)
}

/** A number rounded for a table. */
export const fmt = (x: number, digits = 2): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(digits))

/** A full garbage collection, when `--expose-gc` allows one. */
export const collect = (): void => (globalThis as { gc?: () => void }).gc?.()

/** Megabytes of the V8 heap in use after a collection. */
export const heapMB = (): number => {
  collect()
  return process.memoryUsage().heapUsed / 1e6
}
