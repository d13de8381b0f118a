import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BlobStore, sha256Hex } from '../../src/sync/blobs.ts'

describe('BlobStore', () => {
  afterEach(() => vi.restoreAllMocks())

  it('keeps a file by its hash, gives one object URL per hash, and frees them when destroyed', async () => {
    const store = new BlobStore('p1', 'token')
    const bytes = new TextEncoder().encode('a tiny image')
    const sha = await store.add(new Blob([bytes], { type: 'image/png' }))
    expect(sha).toBe(await sha256Hex(bytes))
    expect(store.pending).toBe(1)
    const url = await store.url(sha, 'image/png')
    expect(url).toMatch(/^blob:/)
    expect(await store.url(sha, 'image/png')).toBe(url)

    const revoke = vi.spyOn(URL, 'revokeObjectURL')
    store.destroy()
    await vi.waitFor(() => expect(revoke).toHaveBeenCalledWith(url))
    // Closed: nothing more is written through it.
    await expect(store.add(new Blob([new Uint8Array([1])]))).rejects.toThrow()

    // The file itself stays on this device for the next store of the project.
    const next = new BlobStore('p1', 'token')
    expect(await (await next.get(sha))?.text()).toBe('a tiny image')
    next.destroy()
  })
})
