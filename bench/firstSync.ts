import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { openSqliteStorage } from '../sync-server/storage/sqlite.ts'
import { buildReference } from './reference.ts'
import { peakRssMB } from './sampler.ts'
import { spawnServer } from './serverProcess.ts'
import { median } from './stats.ts'

const ADMIN = 'bench-admin'

// ws caps received messages at 100 MiB by default; a 100k-item project is about that big.
class BigWebSocket extends WebSocket {
  constructor (url: string, protocols?: string | string[]) {
    super(url, protocols, { maxPayload: 2 ** 31 })
  }
}

const until = async (check: () => boolean, what: string, timeoutMs = 600_000): Promise<void> => {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

// The reference project is written into the data folder before the server starts, as if long edited.
const seed = async (dataDir: string, items: number): Promise<void> => {
  const ref = buildReference(items, 20)
  const storage = openSqliteStorage(path.join(dataDir, 'strata.sqlite'))
  await storage.createProject({ id: 'reference', name: 'Reference', createdAt: Date.now() })
  await storage.appendUpdate('reference', Y.encodeStateAsUpdate(ref.doc))
  await storage.close()
  ref.doc.destroy()
}

// A fresh client with an empty document until it holds the whole project.
const syncFromScratch = async (url: string, items: number): Promise<number> => {
  const start = performance.now()
  const doc = new Y.Doc({ gc: false })
  const p = new WebsocketProvider(`${url.replace(/^http/, 'ws')}/sync`, 'reference', doc, {
    params: { token: ADMIN }, disableBc: true, WebSocketPolyfill: BigWebSocket as unknown as typeof globalThis.WebSocket,
  })
  await until(() => p.synced && doc.getMap('items').size >= items, 'reference project to sync')
  const ms = performance.now() - start
  p.destroy()
  doc.destroy()
  return ms
}

/**
 * A fresh client syncs the `items`-item reference project from scratch, first from a cold room
 * (loaded from storage), then `runs` times with the room in memory; the server runs in a child process.
 */
export async function benchFirstSync (opts: { items: number, runs?: number }): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-first-sync-'))
  await seed(dataDir, opts.items)
  const server = await spawnServer(dataDir, ADMIN)
  try {
    const cold = await syncFromScratch(server.url, opts.items)
    const warm: number[] = []
    for (let i = 0; i < (opts.runs ?? 3); i++) warm.push(await syncFromScratch(server.url, opts.items))
    return {
      items: opts.items,
      'sync from scratch, cold room (ms)': Math.round(cold),
      'sync from scratch, room in memory, median (ms)': Math.round(median(warm)),
      'server peak RSS with the project loaded (MB)': Math.round(peakRssMB(server.pid)),
    }
  } finally {
    server.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}
