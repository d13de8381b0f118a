/// <reference lib="webworker" />
import { type QualityReply, qualityHost } from './qualityProtocol.ts'

// The browser's entry for metrics: parsing a big results file and matching run here, off the
// main thread; the evaluation stays here for drill-down until the page terminates the worker.
const host = qualityHost((reply: QualityReply) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply))
self.onmessage = (event: MessageEvent<unknown>): void => void host(event.data)
