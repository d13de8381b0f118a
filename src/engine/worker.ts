/// <reference lib="webworker" />
import { EngineHost } from './host.ts'

// The engine's entry: a SharedWorker (every tab of a project shares one document and one
// connection) where the browser has one, a dedicated worker otherwise.
const host = new EngineHost()
const scope = self as unknown as SharedWorkerGlobalScope | DedicatedWorkerGlobalScope
if ('onconnect' in scope) {
  scope.onconnect = (event: MessageEvent) => {
    const port = event.ports[0]
    if (!port) return
    host.connect(port)
    port.start()
  }
} else {
  // A dedicated worker serves one tab for its whole life: each project it opens comes on a port of its own.
  scope.onmessage = (event: MessageEvent) => {
    const port = event.ports[0]
    if (!port || (event.data as { t?: unknown } | null)?.t !== 'connect') return
    host.connect(port)
    port.start()
  }
}
