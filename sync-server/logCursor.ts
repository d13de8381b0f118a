/**
 * How far a room holds its project's log, when several processes append to it. Rows carry
 * their seq and the seq before them (`prev`), so a row whose `prev` is past what the room
 * holds shows a gap: a row another process logged and this one has not heard of yet. Relays
 * across processes may arrive out of order or not at all (a process killed between logging
 * and relaying, a Redis restart); the gap is repaired by reading the log after `seq`.
 */
export class LogCursor {
  /** Every row up to this seq is applied. */
  seq = 0
  /** Rows applied past a gap, by the seq before them. */
  private readonly ahead = new Map<number, number>()

  /** Notes an applied row. */
  saw (seq: number, prev: number): void {
    if (seq <= this.seq) return
    if (prev > this.seq) {
      this.ahead.set(prev, seq)
      return
    }
    this.seq = seq
    this.drain()
  }

  /** Notes that every row up to `seq` was read from the log (a load or a catch-up). */
  readTo (seq: number): void {
    if (seq > this.seq) this.seq = seq
    this.drain()
  }

  /** Whether a row was applied past rows not yet seen. */
  get gap (): boolean {
    return this.ahead.size > 0
  }

  private drain (): void {
    for (let next = this.ahead.get(this.seq); next !== undefined; next = this.ahead.get(this.seq)) {
      this.ahead.delete(this.seq)
      this.seq = Math.max(this.seq, next)
    }
    for (const prev of this.ahead.keys()) if (prev < this.seq) this.ahead.delete(prev)
  }
}
