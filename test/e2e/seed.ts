import { createHash } from 'node:crypto'
import { deflateSync, crc32 } from 'node:zlib'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { type Actor, type ClassId, type ItemId, addClass, addItem, addLabel, createVersion, maps, newProjectDoc } from '../../src/domain/index.ts'
import type { StrataServer } from './server.ts'

/** Who seeds reference projects: shows up as the author of seeded items and versions. */
export const SEEDER: Actor = { id: 'seeder', name: 'Seeder' }

/** A Node replica of one project, connected to the server with the stock y-websocket client. */
export interface Replica {
  doc: Y.Doc
  provider: WebsocketProvider
  close: () => void
}

const waitFor = async (ok: () => boolean, what: string, timeoutMs = 60_000): Promise<void> => {
  const until = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Connects a `gc: false` replica to `/sync/<projectId>` and waits for the first sync. */
export const connectReplica = async (server: StrataServer, projectId: string, token: string): Promise<Replica> => {
  const doc = newProjectDoc()
  const provider = new WebsocketProvider(`${server.url.replace(/^http/, 'ws')}/sync`, projectId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
  await waitFor(() => provider.synced, `project ${projectId} to sync`)
  return {
    doc,
    provider,
    close: () => {
      provider.destroy()
      doc.destroy() // also stops the awareness timer, which would keep a Node process alive
    },
  }
}

/** A small PNG of `width` x `height`: a colored rectangle on a light background. */
export const png = (width: number, height: number, rgb: [number, number, number]): Uint8Array => {
  const rows: Buffer[] = []
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3)
    for (let x = 0; x < width; x++) {
      const inside = x > width / 4 && x < (width * 3) / 4 && y > height / 4 && y < (height * 3) / 4
      row.set(inside ? rgb : [235, 235, 235], 1 + x * 3)
    }
    rows.push(row)
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(body.length + 8)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc32(body), body.length + 4)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))])
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Uploads a blob by its hash. */
export const putBlob = async (server: StrataServer, projectId: string, token: string, bytes: Uint8Array): Promise<string> => {
  const hash = sha256(bytes)
  const res = await fetch(`${server.url}/api/projects/${projectId}/blobs/${hash}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
    body: new Uint8Array(bytes),
  })
  if (!res.ok) throw new Error(`Uploading blob ${hash} failed: ${res.status} ${await res.text()}`)
  return hash
}

export interface SeededProject {
  id: string
  /** Owner token. */
  token: string
  name: string
  itemNames: string[]
  classNames: string[]
  /** Version names, oldest first. */
  versions: string[]
}

export interface SeedOptions {
  name: string
  items: number
  labelsPerItem?: number
  /** Names of versions to make: after the first one, each follows a round of edits to ~1% of labels. */
  versions?: string[]
  /** Items written per transaction (one websocket message each, under the server's size cap). */
  chunk?: number
}

const CLASSES = ['circle', 'square', 'triangle']
const COLORS: Array<[number, number, number]> = [[220, 60, 60], [60, 160, 80], [60, 90, 220], [230, 150, 30]]
const W = 64
const H = 48

/** The item name of the `i`th seeded item: `item-00001.png`, sorted like the grid sorts. */
export const itemName = (i: number): string => `item-${String(i + 1).padStart(5, '0')}.png`

/** Moves 1% of the labels by a pixel: the edits between two seeded versions. */
const editRound = (doc: Y.Doc, round: number): void => {
  const m = maps(doc)
  const ids = [...m.labels.keys()]
  doc.transact(() => {
    for (let i = round % 100; i < ids.length; i += 100) {
      const id = ids[i]
      const label = id === undefined ? undefined : m.labels.get(id)
      if (id === undefined || !label) continue
      const [x, y, w, h] = label.bbox
      m.labels.set(id, { ...label, bbox: [Math.min(x + 1, W - w), y, w, h], at: Date.now() })
    }
  })
}

/**
 * Creates a project through REST and fills it through a real y-websocket client with the
 * domain API: N items x `labelsPerItem` boxes, a few shared PNG blobs, optional versions.
 * Returns once a second, fresh replica sees everything on the server.
 */
export const seedProject = async (server: StrataServer, options: SeedOptions): Promise<SeededProject> => {
  const { id, token } = await server.createProject(options.name)
  const blobs = await Promise.all(COLORS.map((rgb) => putBlob(server, id, token, png(W, H, rgb))))
  const replica = await connectReplica(server, id, token)
  const { doc } = replica
  const perItem = options.labelsPerItem ?? 3
  const chunk = options.chunk ?? 500
  const classIds: ClassId[] = []
  doc.transact(() => {
    for (const name of CLASSES) classIds.push(addClass(doc, { name }))
  })
  const itemNames: string[] = []
  for (let start = 0; start < options.items; start += chunk) {
    doc.transact(() => {
      for (let i = start; i < Math.min(options.items, start + chunk); i++) {
        const name = itemName(i)
        const itemId: ItemId = addItem(doc, { name, blob: blobs[i % blobs.length] ?? '', mime: 'image/png', width: W, height: H }, SEEDER)
        for (let l = 0; l < perItem; l++) {
          addLabel(doc, itemId, { classId: classIds[(i + l) % classIds.length] as ClassId, bbox: [2 + l * 4, 2 + l * 3, 16, 12] }, SEEDER)
        }
        itemNames.push(name)
      }
    })
    await new Promise((resolve) => setImmediate(resolve))
  }
  const versions = options.versions ?? []
  versions.forEach((name, round) => {
    if (round > 0) editRound(doc, round)
    createVersion(doc, { name, description: `Seeded version ${round + 1}` }, SEEDER)
  })
  const expected = { items: maps(doc).items.size, labels: maps(doc).labels.size, versions: maps(doc).versions.size }
  const check = await connectReplica(server, id, token)
  const m = maps(check.doc)
  await waitFor(
    () => m.items.size === expected.items && m.labels.size === expected.labels && m.versions.size === expected.versions,
    `the server to hold all ${expected.items} seeded items`,
  )
  check.close()
  replica.close()
  return { id, token, name: options.name, itemNames, classNames: CLASSES, versions }
}
