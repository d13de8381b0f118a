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
