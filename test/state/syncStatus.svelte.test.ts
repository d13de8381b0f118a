import { describe, expect, it } from 'vitest'
import { flushSync } from 'svelte'
import { SyncStatus } from '../../src/state/link.svelte.ts'
import { SaveHealth } from '../../src/sync/saveHealth.ts'
import type { BlobStore } from '../../src/sync/blobs.ts'
import type { Connection } from '../../src/sync/connection.ts'

/** The parts of a connection and a blob store the status reads. */
const fakes = () => {
  const connection = { state: 'offline', reason: '', unsynced: 2, onChange: () => () => undefined } as unknown as Connection
  const blobs = { pending: 0, onChange: () => () => undefined } as unknown as BlobStore
  return { connection, blobs }
}

describe('SyncStatus with this device’s storage', () => {
  it('says when changes are not saved on this device, and stops saying so once a save works again', () => {
    const { connection, blobs } = fakes()
    const saving = new SaveHealth()
    const status = new SyncStatus(connection, blobs, saving)
    const seen: string[] = []
    const stop = $effect.root(() => {
      $effect(() => void seen.push(status.text))
    })
    flushSync()
    expect(seen).toEqual(['Offline · 2 changes not on server'])

    saving.failed(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
    flushSync()
    expect(seen.at(-1)).toBe('Offline · 2 changes not on server · changes not saved on this device: this device is out of storage space')
    expect(status.saveError).toBe('this device is out of storage space')

    saving.saved()
    flushSync()
    expect(seen.at(-1)).toBe('Offline · 2 changes not on server')
    stop()
  })
})
