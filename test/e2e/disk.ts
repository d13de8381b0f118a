import type { Page } from 'playwright-core'
import { engineWorker } from './engineWorker.ts'

/** A full disk as the app's engine sees it. */
export interface FullDisk {
  /** Room again: IndexedDB takes new updates. */
  free: () => Promise<void>
}

/**
 * From now on IndexedDB refuses every new update of the project's document, as it does past
 * the quota (QuotaExceededError), in the engine worker of `page`'s browser context, where the
 * document is stored. A real quota would be nicer, but DevTools' `Storage.overrideQuotaForOrigin`
 * does not reach IndexedDB in this Chromium (a 5 MB write passes a 10-byte quota; only Cache
 * Storage honours it), so the worker's own `IDBObjectStore.prototype.add` is made to refuse.
 */
export const fillDisk = async (page: Page): Promise<FullDisk> => {
  const worker = await engineWorker(page)
  await worker.evaluate(`(() => {
    const add = IDBObjectStore.prototype.add
    IDBObjectStore.prototype.add = function (...args) {
      if (this.name === 'updates') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      return add.apply(this, args)
    }
    globalThis.strataFreeDisk = () => (IDBObjectStore.prototype.add = add)
  })()`)
  return {
    free: async () => {
      await worker.evaluate('void globalThis.strataFreeDisk()')
      await worker.detach()
    },
  }
}
