import { describe, expect, test } from 'vitest'
import { LogCursor } from '../../sync-server/logCursor.ts'

describe('LogCursor', () => {
  test('follows rows in order, and across seqs other rooms took', () => {
    const c = new LogCursor()
    c.saw(3, 0)
    c.saw(7, 3)
    expect(c).toMatchObject({ seq: 7, gap: false })
  })

  test('a row past a missing one is a gap until the missing one arrives, late relays in any order', () => {
    const c = new LogCursor()
    c.readTo(10)
    c.saw(14, 12)
    c.saw(16, 14)
    expect(c).toMatchObject({ seq: 10, gap: true })
    c.saw(12, 10)
    expect(c).toMatchObject({ seq: 16, gap: false })
  })

  test('reading the log closes any gap it covers, and rows it covered are ignored when they come late', () => {
    const c = new LogCursor()
    c.saw(5, 0)
    c.saw(9, 7)
    expect(c.gap).toBe(true)
    c.readTo(9)
    expect(c).toMatchObject({ seq: 9, gap: false })
    c.saw(7, 5)
    expect(c.seq).toBe(9)
    // A gap past what was read stays until filled.
    c.saw(20, 15)
    c.readTo(12)
    expect(c).toMatchObject({ seq: 12, gap: true })
    c.readTo(15)
    expect(c).toMatchObject({ seq: 20, gap: false })
  })
})
