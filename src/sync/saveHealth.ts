/** Whether this device's storage is keeping up with the project's changes. */
export class SaveHealth {
  #error: string | null = null
  #listeners = new Set<() => void>()

  /** Why the last change could not be saved on this device; null while saving works. */
  get error(): string | null {
    return this.#error
  }

  failed(error: unknown): void {
    const name = error instanceof DOMException || error instanceof Error ? error.name : ''
    this.#set(name === 'QuotaExceededError' ? 'this device is out of storage space' : error instanceof Error ? error.message : String(error))
  }

  saved(): void {
    this.#set(null)
  }

  /** Calls `fn` whenever the error changes; answers the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  #set(error: string | null): void {
    if (error === this.#error) return
    this.#error = error
    for (const fn of this.#listeners) fn()
  }
}
