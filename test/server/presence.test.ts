import { afterEach, describe, expect, test, vi } from 'vitest'
import * as Y from 'yjs'
import { Presence, type PresenceHolder } from '../../sync-server/presence.ts'
import type { AwarenessEntry } from '../../sync-server/protocol.ts'

const holder = (principal: string): PresenceHolder => ({ principal, claimed: new Set(), siblings: new Set() })
const entry = (clientId: number, clock: number, state: unknown): AwarenessEntry =>
  ({ clientId, clock, state, json: JSON.stringify(state) })

const rooms: Presence[] = []
const room = (maxIdsPerConnection = 8): Presence => {
  const doc = new Y.Doc({ gc: false })
  const presence = new Presence(doc, { maxIdsPerConnection })
  rooms.push(presence)
  return presence
}
afterEach(() => {
  for (const p of rooms.splice(0)) p.awareness.doc.destroy()
  vi.useRealTimers()
})

describe('presence a connection brings versus presence it relays', () => {
  test('echoes of everyone are applied as nothing and count nothing; a room of 50 fits', () => {
    const presence = room()
    const people = Array.from({ length: 50 }, (_, i) => holder(`token:${i}`))
    people.forEach((p, i) => expect(presence.receive(p, [entry(1000 + i, 1, { user: { name: `P${i}` } })], p)).toBeNull())
    // The stock client re-sends the whole room it was sent on joining: 50 entries, none its own but one.
    const everyone = people.map((_, i) => entry(1000 + i, 1, { user: { name: `P${i}` } }))
    for (const p of people) expect(presence.receive(p, everyone, p)).toBeNull()
    expect(presence.size).toBe(50)
    for (const p of people) expect(p.claimed.size).toBe(1)
  })

  test('a connection bringing more ids than its cap is refused, with nothing of that message applied', () => {
    const presence = room(8)
    const hostile = holder('token:h')
    for (let i = 0; i < 8; i++) expect(presence.receive(hostile, [entry(i + 1, 1, {})], hostile)).toBeNull()
    expect(presence.receive(hostile, [entry(100, 1, {})], hostile)).toMatch(/at most 8 client ids/)
    expect(presence.awareness.states.has(100)).toBe(false)
    // Leaving and claiming again does not reset it: a connection's cap counts every id it ever brought.
    expect(presence.receive(hostile, [entry(1, 2, null)], hostile)).toBeNull()
    expect(presence.receive(hostile, [entry(101, 1, {})], hostile)).toMatch(/at most 8/)
  })

  test('another token can neither overwrite nor remove presence it does not own', () => {
    const presence = room()
    const ada = holder('token:ada')
    const mallory = holder('token:mallory')
    presence.receive(ada, [entry(7, 1, { user: { name: 'Ada' } })], ada)
    presence.receive(mallory, [entry(7, 5, { user: { name: 'Not Ada' } })], mallory)
    presence.receive(mallory, [entry(7, 9, null)], mallory)
    expect(presence.awareness.states.get(7)).toEqual({ user: { name: 'Ada' } })
    // A removal for an id nobody holds is not remembered either.
    presence.receive(mallory, [entry(424242, 1, null)], mallory)
    expect(presence.awareness.meta.has(424242)).toBe(false)
  })

  test("a second tab of the same token relaying its sibling's presence takes it over when the sibling's socket goes", () => {
    const presence = room()
    const tabA = holder('token:device')
    const tabB = holder('token:device')
    // B's BroadcastChannel relay reaches the server first; A's own message is then an echo.
    presence.receive(tabB, [entry(1, 1, { user: { name: 'Ada' } }), entry(2, 1, { user: { name: 'Ada' } })], tabB)
    presence.receive(tabA, [entry(1, 1, { user: { name: 'Ada' } })], tabA)
    presence.leave(tabB)
    expect(presence.awareness.states.has(1)).toBe(true)
    expect(presence.awareness.states.has(2)).toBe(false)
    presence.leave(tabA)
    expect(presence.size).toBe(0)
  })

  test('ids of presence that left are forgotten after a minute, so the bookkeeping stays bounded', () => {
    vi.useFakeTimers()
    const presence = room()
    for (let i = 0; i < 20; i++) {
      const tab = holder(`token:${i}`)
      presence.receive(tab, [entry(i + 1, 1, {})], tab)
      presence.leave(tab)
    }
    const remembered = (): number => [...presence.awareness.meta.keys()].filter((id) => id <= 20).length
    expect(remembered()).toBe(20)
    vi.advanceTimersByTime(100_000)
    expect(remembered()).toBe(0)
  })
})
