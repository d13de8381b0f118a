import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BlobStore, sha256Hex } from '../../src/sync/blobs.ts'

describe('BlobStore', () => {
  afterEach(() => vi.restoreAllMocks())

  it('keeps a file by its hash and queues it for upload; once destroyed it writes nothing more', async () => {
    const store = new BlobStore('p1', 'token')
    const bytes = new TextEncoder().encode('a tiny image')
    const sha = await store.add(new Blob([bytes], { type: 'image/png' }))
    expect(sha).toBe(await sha256Hex(bytes))
    expect(store.pending).toBe(1)
    expect(await (await store.get(sha))?.text()).toBe('a tiny image')

    store.destroy()
    // Closed: nothing more is written through it.
    await expect(store.add(new Blob([new Uint8Array([1])]))).rejects.toThrow()

    // The file itself stays on this device for the next store of the project.
    const next = new BlobStore('p1', 'token')
    expect(await (await next.get(sha))?.text()).toBe('a tiny image')
    next.destroy()
  })

  it('closes its database only after a download that was running when it was destroyed, and stores that file', async () => {
    const bytes = new TextEncoder().encode('an image still on its way')
    const sha = await sha256Hex(bytes)
    let answer: (res: Response) => void = () => undefined
    const fetched = vi.fn(() => new Promise<Response>((resolve) => (answer = resolve)))
    vi.stubGlobal('fetch', fetched)
    const unhandled = vi.fn()
    process.on('unhandledRejection', unhandled)
    try {
      const store = new BlobStore('p2', 'token')
      const downloading = store.get(sha)
      await vi.waitFor(() => expect(fetched).toHaveBeenCalled())
      // The project closes while its image is still downloading.
      store.destroy()
      answer(new Response(bytes))
      expect(await (await downloading)?.text()).toBe('an image still on its way')
      expect(await store.get(sha)).toBeNull()
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(unhandled).not.toHaveBeenCalled()
      // What arrived was stored before the database closed: the next store has it.
      vi.unstubAllGlobals()
      const next = new BlobStore('p2', 'token')
      expect(await (await next.get(sha))?.text()).toBe('an image still on its way')
      next.destroy()
    } finally {
      process.off('unhandledRejection', unhandled)
      vi.unstubAllGlobals()
    }
  })
})
