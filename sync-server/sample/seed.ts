import { randomUUID } from 'node:crypto'
import * as Y from 'yjs'
import { buildShapesProject } from './shapes.ts'
import type { Backend } from '../backend.ts'

async function* once(bytes: Uint8Array): AsyncIterable<Buffer> {
  yield Buffer.from(bytes)
}

/**
 * On a first start (no project stored yet), creates the "Shapes" demo project so a new user
 * sees items, labels, predictions and versions at once. Runs before the server serves;
 * answers the project id when it created one.
 */
export const seedSampleProject = ({ storage, blobs, exclusive }: Backend, maxBlobBytes: number, log: (msg: string) => void = console.log): Promise<string | null> => exclusive('sample', async () => {
  // Processes of a cluster starting at once: one seeds, the others then find the project.
  if ((await storage.listProjects()).length > 0) return null
  const { doc, blobs: files } = await buildShapesProject()
  const id = randomUUID()
  for (const [sha, blob] of files) {
    const refusal = await blobs.write(id, sha, once(blob.bytes), maxBlobBytes)
    if (refusal) throw new Error(`sample blob ${sha}: ${refusal.reason}`)
  }
  await storage.appendUpdate(id, Y.encodeStateAsUpdate(doc))
  await storage.createProject({ id, name: 'Shapes', createdAt: Date.now() })
  log(`Created the "Shapes" sample project (${files.size} files)`)
  return id
})
