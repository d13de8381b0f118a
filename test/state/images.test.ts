import { afterEach, describe, expect, it, vi } from 'vitest'
import { ImageUrls } from '../../src/state/images.ts'

afterEach(() => vi.restoreAllMocks())

describe('ImageUrls', () => {
  it('makes one object URL per hash with the item’s own type, and revokes them when the project closes', async () => {
    const fetch = vi.fn(async () => new Blob([new Uint8Array([1, 2, 3])], { type: 'application/octet-stream' }))
    const made: Blob[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => (made.push(blob as Blob), `blob:${made.length}`))
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
    const urls = new ImageUrls(fetch)
    const first = await urls.url('a'.repeat(64), 'image/png')
    expect(await urls.url('a'.repeat(64), 'image/png')).toBe(first)
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(made[0]?.type).toBe('image/png')
    urls.close()
    await vi.waitFor(() => expect(revoke).toHaveBeenCalledWith(first))
  })

  it('answers null for a file nobody has, and asks again next time', async () => {
    const fetch = vi.fn(async () => null)
    const urls = new ImageUrls(fetch)
    expect(await urls.url('b'.repeat(64), 'image/png')).toBeNull()
    expect(await urls.url('b'.repeat(64), 'image/png')).toBeNull()
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('answers null when the engine refuses (storage full, project closed), and throws nothing', async () => {
    const urls = new ImageUrls(async () => Promise.reject(new Error('The project was closed')))
    expect(await urls.url('c'.repeat(64), 'image/png')).toBeNull()
  })
})
