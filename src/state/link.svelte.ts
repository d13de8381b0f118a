import { createSubscriber } from 'svelte/reactivity'
import type { Connection, LinkState } from '../sync/connection.ts'
import type { BlobStore } from '../sync/blobs.ts'
import type { SaveHealth } from '../sync/saveHealth.ts'

/** The sync state the sidebar shows: link state plus what is not yet on the server. */
export class SyncStatus {
  #subscribe: () => void

  constructor(
    readonly connection: Connection,
    readonly blobs: BlobStore,
    readonly saving: SaveHealth | null = null,
  ) {
    this.#subscribe = createSubscriber((update) => {
      const offs = [connection.onChange(update), blobs.onChange(update), saving?.onChange(update)]
      return () => offs.forEach((off) => off?.())
    })
  }

  get state(): LinkState {
    this.#subscribe()
    return this.connection.state
  }

  get reason(): string {
    this.#subscribe()
    return this.connection.reason
  }

  get unsyncedChanges(): number {
    this.#subscribe()
    return this.connection.unsynced
  }

  get unsyncedBlobs(): number {
    this.#subscribe()
    return this.blobs.pending
  }

  /** Why changes are not being saved on this device, or null. */
  get saveError(): string | null {
    this.#subscribe()
    return this.saving?.error ?? null
  }

  /** One line: starts with Online, Offline, Syncing or Connecting, then what is not on the server. */
  get text(): string {
    const state = this.state
    const head = { online: 'Online', offline: 'Offline', syncing: 'Syncing', connecting: 'Connecting', denied: 'Offline' }[state]
    const parts: string[] = []
    const changes = this.unsyncedChanges
    const blobs = this.unsyncedBlobs
    if (changes) parts.push(`${changes} ${changes === 1 ? 'change' : 'changes'}`)
    if (blobs) parts.push(`${blobs} ${blobs === 1 ? 'file' : 'files'}`)
    const unsaved = this.saveError
    const tail = (parts.length ? ` · ${parts.join(' and ')} not on server` : '') + (unsaved ? ` · changes not saved on this device: ${unsaved}` : '')
    return state === 'denied' ? `${head} · ${this.reason}${tail}` : `${head}${tail}`
  }
}
