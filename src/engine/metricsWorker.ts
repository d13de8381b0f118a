/// <reference lib="webworker" />
import { type QualityReply, qualityHost } from './metricsProtocol.ts'

// The metrics worker, started by a dedicated engine worker (a shared one cannot start workers):
// parsing a big results file and matching run here; the evaluation stays here for drill-down
// until the engine terminates the worker.
const host = qualityHost((reply: QualityReply) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply))
self.onmessage = (event: MessageEvent<unknown>): void => void host(event.data)
