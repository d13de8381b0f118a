import { IDBFactory } from 'fake-indexeddb'
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as D from '../../../src/domain/index.ts'
import * as S from '../../../src/domain/sharded/index.ts'
import { addItem, nextAddedAt } from '../../../src/domain/items.ts'
import type { ItemId } from '../../../src/domain/index.ts'
import { type ShardBudget } from '../../../src/engine/sharded/budget.ts'
import { ShardedProjectEngine } from '../../../src/engine/sharded/engine.ts'
import { image } from '../../domain/helpers.ts'
import { api, startTestServer } from '../../server/harness.ts'

/** Polls an async check every 10 ms until it holds. */
export const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> => {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A real server with one sharded project of `count` shards on it, made through REST as the app and CLI make one. */
export const servedProject = async (count: number) => {
  const server = await startTestServer()
  const res = await api(server.url, 'POST', '/api/projects', 'admin-secret', { name: 'Sharded', shards: count })
  if (res.status !== 201 || res.json === null) throw new Error(`create a sharded project: ${res.status}`)
  const project = { id: String(res.json.id), token: String(res.json.token) }
  return { server, project, close: () => server.close() }
}

export type Served = Awaited<ReturnType<typeof servedProject>>

/** One device's storage: its own fake IndexedDB, counting which databases were opened. */
export const deviceStorage = () => {
  const factory = new IDBFactory()
  const opened: string[] = []
  const counting = new Proxy(factory, {
    get: (target, key) => (key === 'open' ? (name: string) => (opened.push(name), target.open(name)) : Reflect.get(target, key)),
  })
  return { indexedDB: counting as IDBFactory, opened }
}

export type DeviceStorage = ReturnType<typeof deviceStorage>

/** The engine of one device on `served`'s project, set up as the app's is (presence on). */
export const device = (served: Served, storage: DeviceStorage = deviceStorage(), options: { budget?: Partial<ShardBudget>; online?: boolean; name?: string } = {}) => {
  const engine = new ShardedProjectEngine({
    projectId: served.project.id,
    token: served.project.token,
    server: served.server.url.replace(/^http/, 'ws'),
    online: options.online ?? true,
    budget: options.budget,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    indexedDB: storage.indexedDB,
  })
  engine.setPresence({ name: options.name ?? 'Ann', viewing: 'Latest' })
  return { engine, storage }
}

/** A new item id that lands in shard `i` of `count`. */
export const idIn = (i: number, count: number): ItemId => {
  for (;;) {
    const id = crypto.randomUUID() as ItemId
    if (S.shardOf(id, count) === i) return id
  }
}

/** Adds an item named `name` to shard `i`, the way the domain's sharded `addItem` writes it. */
export const addItemIn = async (engine: ShardedProjectEngine, i: number, name: string): Promise<ItemId> => {
  const { root } = await engine.ready
  return addItem(await engine.open(i), image(name), { id: 'u-ann', name: 'Ann' }, idIn(i, engine.count), nextAddedAt(root))
}

/** The names of the items shard `doc` holds, sorted. */
export const names = (doc: Y.Doc): string[] => [...D.maps(doc).items.values()].map((item) => String(item.name)).sort()

/** What a test file's tests start (servers, devices), stopped after each test, the last started first. */
export const stoppedAfterEach = () => {
  const cleanup: Array<() => unknown> = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })
  return {
    cleanup,
    served: async (count: number): Promise<Served> => {
      const s = await servedProject(count)
      cleanup.push(s.close)
      return s
    },
    started: (...args: Parameters<typeof device>): ReturnType<typeof device> => {
      const d = device(...args)
      cleanup.push(() => d.engine.close())
      return d
    },
  }
}
