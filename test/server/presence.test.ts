import { afterEach, describe, expect, test, vi } from 'vitest'
import * as Y from 'yjs'
import { Presence, type PresenceHolder } from '../../sync-server/presence.ts'
import type { AwarenessEntry } from '../../sync-server/protocol.ts'

const holder = (principal: string): PresenceHolder => ({ principal, claimed: new Set(), broughtAt: [], siblings: new Set() })
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
    // A removed presence frees its place, but bringing ids in is capped per minute too.
    expect(presence.receive(hostile, [entry(1, 2, null)], hostile)).toBeNull()
    expect(presence.receive(hostile, [entry(101, 1, {})], hostile)).toBeNull()
    // Swapping one id for a new one, again and again: 9 brought in so far, 32 a minute at most.
    let refusal: string | null = null
    let previous = 101
    for (let i = 0; i < 30 && refusal === null; i++) {
      presence.receive(hostile, [entry(previous, 2, null)], hostile)
      refusal = presence.receive(hostile, [entry(2000 + i, 1, {})], hostile)
      previous = 2000 + i
    }
    expect(refusal).toMatch(/at most 32 client ids a minute/)
  })

  test('a tab relaying its sibling’s reloads over BroadcastChannel is never closed for it', () => {
    const presence = room(8)
    const [tabA, tabB] = [holder('token:device'), holder('token:device')]
    presence.receive(tabA, [entry(1, 1, { user: { name: 'Ada' } })], tabA)
    // Tab B reloads twenty times: each page has a new id, announced by A's relay before B's own
    // socket; each old page's removal reaches the room when it unloads.
    for (let reload = 0; reload < 20; reload++) {
      const id = 100 + reload
      expect(presence.receive(tabA, [entry(id, 1, { user: { name: 'Ada' } })], tabA)).toBeNull()
      expect(presence.receive(tabB, [entry(id, 1, { user: { name: 'Ada' } })], tabB)).toBeNull()
      expect(presence.receive(tabB, [entry(id, 2, null)], tabB)).toBeNull()
    }
    expect([...presence.awareness.getStates().keys()]).toEqual([1])
  })

  test('presence handed over between same-token connections cannot pile up past the cap', () => {
    const presence = room(8)
    const keeper = holder('token:t')
    presence.receive(keeper, [entry(1, 1, {})], keeper)
    for (let round = 0; round < 5; round++) {
      const brief = holder('token:t')
      const ids = Array.from({ length: 8 }, (_, i) => 1000 + round * 8 + i)
      expect(presence.receive(brief, ids.map((id) => entry(id, 1, {})), brief)).toBeNull()
      presence.receive(keeper, ids.map((id) => entry(id, 1, {})), keeper)
      presence.leave(brief)
    }
    expect(presence.size).toBeLessThanOrEqual(8)
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

  test('while a client reconnects, another token cannot take its id; its own token can', () => {
    const presence = room()
    const [ada, mallory] = [holder('token:ada'), holder('token:mallory')]
    presence.receive(ada, [entry(7, 3, { user: { name: 'Ada' } })], ada)
    presence.leave(ada)
    presence.receive(mallory, [entry(7, 1000, { user: { name: 'Ada' } })], mallory)
    expect(presence.awareness.states.has(7)).toBe(false)
    const again = holder('token:ada')
    presence.receive(again, [entry(7, 5, { user: { name: 'Ada' } })], again)
    expect(presence.awareness.states.get(7)).toEqual({ user: { name: 'Ada' } })
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

describe('the room’s presence budget', () => {
  test('states past 512 KiB in all are left out, not refused, so what a newcomer echoes stays under 1 MiB', () => {
    const presence = room(8)
    const big = { user: { name: 'x'.repeat(15_000) } }
    for (let c = 0; c < 10; c++) {
      const viewer = holder(`token:v${c}`)
      const ids = Array.from({ length: 8 }, (_, i) => 1 + c * 8 + i)
      expect(presence.receive(viewer, ids.map((id) => entry(id, 1, big)), viewer)).toBeNull()
    }
    expect(presence.heldBytes).toBeLessThanOrEqual(512 * 1024)
    expect(presence.everyone()?.length ?? 0).toBeLessThan(1024 * 1024)
    // People still get in: big states fill only three quarters of the budget.
    const ada = holder('token:ada')
    for (let i = 0; i < 500; i++) {
      const person = holder(`token:p${i}`)
      expect(presence.receive(person, [entry(50_000 + i, 1, { user: { name: `Person ${i}`, viewing: 'Latest' } })], person)).toBeNull()
    }
    expect([...Array(500).keys()].every((i) => presence.awareness.states.has(50_000 + i))).toBe(true)
  })
})
