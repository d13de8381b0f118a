/**
 * Which shards are in use by the opens under way. The domain opens the shards of one command
 * together and uses them the moment all are there, so a shard an open answered stays in use
 * until no open is under way and the task has ended: an open of the same command can then
 * never release a shard it goes with.
 */
export class Leases {
  readonly #leased = new Set<number>()
  #opening = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  /** Shard `i` was answered, or is about to be. */
  use(i: number): void {
    this.#leased.add(i)
    this.#endSoon()
  }

  has(i: number): boolean {
    return this.#leased.has(i)
  }

  /** An open that loads a shard started. */
  begin(): void {
    this.#opening++
  }

  /** That open ended, loaded or not. */
  end(): void {
    this.#opening--
    this.#endSoon()
  }

  clear(): void {
    clearTimeout(this.#timer)
    this.#leased.clear()
  }

  #endSoon(): void {
    if (this.#opening > 0 || this.#timer !== undefined) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      if (this.#opening === 0) this.#leased.clear()
    }, 0)
  }
}
