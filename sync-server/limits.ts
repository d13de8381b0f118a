import { Close } from '../src/wire.ts'
import type { Config } from './config.ts'

/** A refused upgrade, closed with this code and reason. */
export interface Refusal { ok: false, code: number, reason: string }

/** Open connections per token and per remote address, each under its configured cap. */
export class ConnectionLimits {
  private readonly open = { token: new Map<string, number>(), address: new Map<string, number>() }

  constructor (private readonly config: Config) {}

  /** Counts one connection; answers how to release it, or null when the cap is reached. */
  take (kind: 'token' | 'address', key: string): (() => void) | null {
    const counts = this.open[kind]
    const n = counts.get(key) ?? 0
    if (n >= this.cap(kind)) return null
    counts.set(key, n + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (counts.get(key) ?? 1) - 1
      if (left === 0) counts.delete(key)
      else counts.set(key, left)
    }
  }

  /** The close that tells a client which cap it hit. */
  refusal (kind: 'token' | 'address'): Refusal {
    const what = kind === 'token' ? 'this token' : 'this address'
    return { ok: false, code: Close.RATE_LIMITED, reason: `too many connections for ${what} (at most ${this.cap(kind)} at once)` }
  }

  private cap (kind: 'token' | 'address'): number {
    return kind === 'token' ? this.config.maxConnectionsPerToken : this.config.maxConnectionsPerAddress
  }
}
