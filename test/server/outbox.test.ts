import { describe, expect, test } from 'vitest'
import { WebSocket } from 'ws'
import { Outbox } from '../../sync-server/outbox.ts'

/** A socket that takes frames and calls back only when told to: a reader that has not read yet. */
const socket = () => {
  const pending: Array<() => void> = []
  const ws = { readyState: WebSocket.OPEN, send: (_frame: Uint8Array, cb: (e?: Error) => void) => void pending.push(() => cb()) }
  return { ws: ws as unknown as WebSocket, drain: () => { for (const cb of pending.splice(0)) cb() } }
}

const MiB = 1024 * 1024

describe('what waits for one reader', () => {
  test('a peer’s edit bigger than the cap does not make the next small relays close the reader', () => {
    const { ws, drain } = socket()
    const slow: number[] = []
    const out = new Outbox(ws, MiB, (backlog) => slow.push(backlog))
    out.send(new Uint8Array(3 * MiB))
    for (let i = 0; i < 100; i++) out.send(new Uint8Array(1000))
    expect(slow).toEqual([])
    // But a reader that takes nothing while a cap's worth more piles up is a slow reader.
    for (let i = 0; i < 1100 && slow.length === 0; i++) out.send(new Uint8Array(1000))
    expect(slow.length).toBe(1)
    drain()
  })

  test('a thousand sync step 1s while one answer is in flight are answered once more, with the latest', () => {
    const { ws, drain } = socket()
    const answered: number[] = []
    const out = new Outbox(ws, MiB, () => undefined)
    for (let i = 0; i < 1000; i++) out.answer(new Uint8Array([i % 256]), (sv) => (answered.push(sv[0] as number), new Uint8Array(2 * MiB)))
    expect(answered).toEqual([0])
    drain()
    expect(answered).toEqual([0, 999 % 256])
  })
})
