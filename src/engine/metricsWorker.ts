/// <reference lib="webworker" />
import { type QualityReply, qualityHost } from '../quality/protocol.ts'

// The metrics worker, started by a dedicated engine worker: parsing a big results file and matching run here, off the
// main thread; the evaluation stays here for drill-down until the page terminates the worker.
const host = qualityHost((reply: QualityReply) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply))
self.onmessage = (event: MessageEvent<unknown>): void => void host(event.data)
