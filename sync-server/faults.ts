/**
 * Telling a storage fault from a bug. A REST handler fails for one of three reasons: the
 * request was refused (an HttpError), storage failed (the database or the blob folder), or
 * the server has a bug. Only the second counts as a storage error; the handler can only
 * tell them apart if the storage calls themselves say so, which is what `namingFaults` does.
 */

/** An error thrown by storage (the database, the blob folder, a room's load from its log). */
export class StorageFault extends Error {
  constructor (cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause })
    this.name = 'StorageFault'
  }
}

const asFault = (e: unknown): StorageFault => (e instanceof StorageFault ? e : new StorageFault(e))

/** `store` with every method's failure, thrown or rejected, re-thrown as a StorageFault. */
export const namingFaults = <T extends object>(store: T): T => new Proxy(store, {
  get (target, key) {
    const value: unknown = Reflect.get(target, key, target)
    if (typeof value !== 'function') return value
    return (...args: unknown[]): unknown => {
      try {
        const result: unknown = value.apply(target, args)
        return result instanceof Promise ? result.catch((e: unknown) => { throw asFault(e) }) : result
      } catch (e) {
        throw asFault(e)
      }
    }
  },
})
