import { createSubscriber } from 'svelte/reactivity'
import type { Connection, LinkState } from '../sync/connection.ts'
import type { BlobStore } from '../sync/blobs.ts'

/** The sync state the sidebar shows: link state plus what is not yet on the server. */
export class SyncStatus {
  #subscribe: () => void

  constructor(
    readonly connection: Connection,
    readonly blobs: BlobStore,
  ) {
    this.#subscribe = createSubscriber((update) => {
      const offLink = connection.onChange(update)
      const offBlobs = blobs.onChange(update)
      return () => {
        offLink()
        offBlobs()
      }
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

  /** One line: starts with Online, Offline, Syncing or Connecting, then what is not on the server. */
  get text(): string {
    const state = this.state
    const head = { online: 'Online', offline: 'Offline', syncing: 'Syncing', connecting: 'Connecting', denied: 'Offline' }[state]
    const parts: string[] = []
    const changes = this.unsyncedChanges
    const blobs = this.unsyncedBlobs
    if (changes) parts.push(`${changes} ${changes === 1 ? 'change' : 'changes'}`)
    if (blobs) parts.push(`${blobs} ${blobs === 1 ? 'file' : 'files'}`)
    const tail = parts.length ? ` · ${parts.join(' and ')} not on server` : ''
    return state === 'denied' ? `${head} · ${this.reason}${tail}` : `${head}${tail}`
  }
}
