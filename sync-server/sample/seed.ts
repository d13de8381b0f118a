import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import * as Y from 'yjs'
import { buildShapesProject } from './shapes.ts'
import { BlobStore } from '../blobs.ts'
import type { Config } from '../config.ts'
import { openSqliteStorage } from '../storage/sqlite.ts'

async function* once(bytes: Uint8Array): AsyncIterable<Buffer> {
  yield Buffer.from(bytes)
}

/**
 * On a first start (no project stored yet), creates the "Shapes" demo project so a new user
 * sees items, labels, predictions and versions at once. Runs before the server opens the
 * storage; answers the project id when it created one.
 */
export const seedSampleProject = async (config: Config, log: (msg: string) => void = console.log): Promise<string | null> => {
  fs.mkdirSync(config.dataDir, { recursive: true })
  const storage = openSqliteStorage(path.join(config.dataDir, 'strata.sqlite'))
  try {
    if ((await storage.listProjects()).length > 0) return null
    const { doc, blobs } = await buildShapesProject()
    const id = randomUUID()
    const files = new BlobStore(config.dataDir)
    for (const [sha, blob] of blobs) {
      const refusal = await files.write(id, sha, once(blob.bytes), config.maxBlobBytes)
      if (refusal) throw new Error(`sample blob ${sha}: ${refusal.reason}`)
    }
    await storage.appendUpdate(id, Y.encodeStateAsUpdate(doc))
    await storage.createProject({ id, name: 'Shapes', createdAt: Date.now() })
    log(`Created the "Shapes" sample project (${blobs.size} files)`)
    return id
  } finally {
    await storage.close()
  }
}
