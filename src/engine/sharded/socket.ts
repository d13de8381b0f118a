import type * as Y from 'yjs'
import { StrataError } from '../../domain/index.ts'
import { shardCount } from '../../domain/sharded/index.ts'
import type { MuxDoc, MuxProvider } from '../../sync/mux.ts'

/** Settles once `doc` synced on `provider`: at once when it has or when the socket is not connected, early if the link drops. */
export const whenSynced = (provider: MuxProvider, doc: MuxDoc): Promise<void> => {
  if (!provider.wsconnected || provider.docSynced(doc)) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      provider.off('doc-sync', onSync)
      provider.off('status', onStatus)
      resolve()
    }
    const onSync = (synced: MuxDoc, ok: boolean): void => void (synced === doc && ok && done())
    const onStatus = ({ status }: { status: string }): void => void (status !== 'connected' && done())
    provider.on('doc-sync', onSync)
    provider.on('status', onStatus)
  })
}

/**
 * Settles once the root synced or an attempt to connect failed (the socket may still be
 * connecting when this starts), or when `stop` is called; answers whether the root synced.
 */
export const firstRootSync = (provider: MuxProvider): { synced: Promise<boolean>, stop: () => void } => {
  let stop = (): void => undefined
  const synced = new Promise<boolean>((resolve) => {
    const done = (): void => {
      provider.off('doc-sync', onSync)
      provider.off('connection-close', done)
      resolve(provider.docSynced(null))
    }
    const onSync = (doc: MuxDoc): void => void (doc === null && done())
    provider.on('doc-sync', onSync)
    provider.on('connection-close', done)
    stop = done
  })
  return { synced, stop }
}

/**
 * The root's shard count: at once when stored here, else after the first sync. `onWait` gets
 * the way to end that wait early (the project closing); `closed` tells whether it did.
 */
export const rootShardCount = async (root: Y.Doc, provider: MuxProvider, closed: () => boolean, onWait: (stop: () => void) => void): Promise<number> => {
  try {
    return shardCount(root)
  } catch {
    if (!provider.shouldConnect) throw new StrataError('This project has not reached this device yet: it opens once online')
    const first = firstRootSync(provider)
    onWait(first.stop)
    const synced = await first.synced
    if (closed()) throw new StrataError('The project was closed while it loaded')
    if (!synced) throw new StrataError('This project has not reached this device yet, and the server could not be reached')
    return shardCount(root)
  }
}
