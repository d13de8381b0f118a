import { vi } from 'vitest'
import { ENGINE_PROTOCOL, type FromEngine, type ToEngine } from '../../src/engine/protocol.ts'
import type { EnginePort } from '../../src/state/engineLink.ts'

/** What a tab's page has and Node 20 has not: the network flag, window events, local storage; no server answers. */
export const stubPage = (): void => {
  const stored = new Map<string, string>()
  vi.stubGlobal('navigator', { onLine: false })
  vi.stubGlobal('addEventListener', () => undefined)
  vi.stubGlobal('removeEventListener', () => undefined)
  vi.stubGlobal('localStorage', { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) })
  vi.stubGlobal('fetch', () => Promise.reject(new TypeError('offline')))
}

/** An engine the test plays: it keeps what the tab sent and answers a topic with what the test says. */
export const fakeEngine = () => {
  const sent: ToEngine[] = []
  const port: EnginePort = { onmessage: null, postMessage: (m) => void sent.push(m), close: () => undefined }
  /** The keys the tab watches `topic` under now, oldest first. */
  const watching = (topic: string): Array<{ key: string; spec: unknown }> => {
    const live = new Map<string, unknown>()
    for (const m of sent) {
      if (m.t === 'watch' && m.topic === topic) live.set(m.key, m.spec)
      if (m.t === 'unwatch') live.delete(m.key)
    }
    return [...live].map(([key, spec]) => ({ key, spec }))
  }
  const say = (topic: string, value: unknown): void => {
    for (const { key } of watching(topic)) port.onmessage?.({ data: { v: ENGINE_PROTOCOL, t: 'topic', key, value } as FromEngine } as MessageEvent<FromEngine>)
  }
  return { port, sent, watching, say }
}
