/// <reference lib="webworker" />
import { compactStored } from '../sync/storedLog.ts'

// Compacts one project's stored update log into small causal pieces, away from the engine:
// at 100k items a compaction holds its thread for tens of seconds. A tab starts this worker
// when the engine asks (a shared engine worker cannot start workers itself); the engine keeps
// appending meanwhile, behind the compacted range.
self.onmessage = (event: MessageEvent<{ name: string }>): void => {
  const post = (message: { ok: boolean; error?: string }): void => (self as unknown as DedicatedWorkerGlobalScope).postMessage(message)
  compactStored(event.data.name).then(
    () => post({ ok: true }),
    (error: unknown) => post({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  )
}
