import type { MuxDoc } from '../../sync/mux.ts'
import type { Compact } from '../../sync/persistence.ts'
import type { MapName } from '../opened.ts'
import type { ShardBudget } from './budget.ts'

/** What changed in one document of the project (`null`: the root): the maps a transaction touched; none for a change of state (loaded, released, synced). */
export type ShardChanged = (doc: MuxDoc, names: ReadonlySet<MapName>) => void

/** How a sharded project is opened in the engine. */
export interface ShardedOptions {
  projectId: string
  token: string
  /** The server's websocket origin (`ws://host:port`); the project's socket is `<server>/mux/<projectId>`. */
  server: string
  online: boolean
  budget?: Partial<ShardBudget>
  /** The WebSocket class (Node's `ws` in tests); the global one by default. */
  WebSocket?: typeof WebSocket
  compact?: Compact
  /** Where this device's databases are (the global IndexedDB unless told: a test's second device). */
  indexedDB?: IDBFactory
}
