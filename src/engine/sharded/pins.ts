/** Shards kept loaded on request (an open item, say), counted so that two holders of one shard each release their own. */
export class Pins {
  readonly #count = new Map<number, number>()

  /** Keeps shard `i` until the answered function is called (once; later calls do nothing). */
  pin(i: number): () => void {
    this.#count.set(i, (this.#count.get(i) ?? 0) + 1)
    let done = false
    return () => {
      if (done) return
      done = true
      const n = (this.#count.get(i) ?? 1) - 1
      if (n > 0) this.#count.set(i, n)
      else this.#count.delete(i)
    }
  }

  has(i: number): boolean {
    return (this.#count.get(i) ?? 0) > 0
  }
}
