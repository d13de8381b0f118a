import type { MuxProvider } from '../../sync/mux.ts'
import { type LocalProject, STORED, databaseName } from '../../sync/persistence.ts'
import { type ShardList, SYNCED, UNSENT, readShardList } from './shardList.ts'

/**
 * What this device knows of each shard's exchange with the server, kept in the root's database:
 * the shards it once received whole (what `complete` rests on), and the shards holding changes
 * made while they were not synced, opened again once connected so that those reach the server.
 */
export class ShardDelivery {
  #sending = false

  private constructor(readonly synced: ShardList, readonly unsent: ShardList) {}

  /** The lists of project `projectId` as stored on this device. */
  static async read(projectId: string, indexedDB?: IDBFactory): Promise<ShardDelivery> {
    const name = databaseName(projectId)
    return new ShardDelivery(await readShardList(name, SYNCED, indexedDB), await readShardList(name, UNSENT, indexedDB))
  }

  /** A change of this device's made while shard `i` was not synced is remembered until it syncs, across restarts. */
  changed(i: number, origin: unknown, provider: MuxProvider | null): void {
    if (origin === STORED || origin === provider || (provider?.wsconnected && provider.docSynced(i))) return
    void this.unsent.add(i)
  }

  /** Opens each shard holding changes not yet sent, one at a time, while `connected` holds. */
  async sendUnsent(open: (i: number) => Promise<unknown>, connected: () => boolean): Promise<void> {
    if (this.#sending) return
    this.#sending = true
    try {
      for (const i of this.unsent.values()) {
        if (!connected()) break
        await open(i).catch((error: unknown) => console.warn(`Shard ${i}'s changes were not sent yet:`, error))
      }
    } finally {
      this.#sending = false
    }
  }

  /**
   * Shard `i` was received whole: remembered once what it received is stored, so that a restart
   * offline still counts it complete. Answers whether this was news.
   */
  async markSynced(i: number, local: LocalProject): Promise<boolean> {
    if (this.synced.has(i)) return false
    await local.settled?.()
    if (local.unsaved) return false
    await this.synced.add(i)
    return true
  }
}
