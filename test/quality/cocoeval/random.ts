/** A seeded PRNG (mulberry32) and the few draws the case generator needs, so every machine writes the same cases. */
export type Random = () => number

/** Uniform floats in [0, 1) from a 32-bit seed: the project's one seeded PRNG. */
export { prng as mulberry32 } from '../../../bench/reference.ts'

/** An integer in [min, max], both included. */
export const randomInt = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1))

/** A float in [min, max). */
export const uniform = (random: Random, min: number, max: number): number => min + random() * (max - min)

/** One element of a non-empty list. */
export const pick = <T>(random: Random, items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)]
  if (item === undefined) throw new RangeError('pick from an empty list')
  return item
}

/** A shuffled copy (Fisher–Yates). */
export const shuffled = <T>(random: Random, items: readonly T[]): T[] => {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const a = out[i] as T
    out[i] = out[j] as T
    out[j] = a
  }
  return out
}

/** `count` distinct integers in [1, max], in draw order (so neither contiguous nor sorted). */
export const distinctIds = (random: Random, count: number, max: number): number[] => {
  const ids = new Set<number>()
  while (ids.size < count) ids.add(randomInt(random, 1, max))
  return [...ids]
}

/** Rounded to `decimals` places, so the JSON stays short and ties happen as they do in real detector output. */
export const round = (value: number, decimals: number): number => {
  const scale = 10 ** decimals
  return Math.round(value * scale) / scale
}

/** The element at `index`, which the caller knows is there. */
export const at = <T>(items: readonly T[], index: number): T => {
  const item = items[index]
  if (item === undefined) throw new RangeError(`no element ${index} of ${items.length}`)
  return item
}
