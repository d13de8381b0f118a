import * as Y from 'yjs'
import * as D from '../src/domain/index.ts'
import { type Replica, SEEDER, connectReplica, putBlob } from '../test/e2e/seed.ts'
import type { StrataServer } from '../test/e2e/server.ts'
import { type Reference, buildReference, prng } from './reference.ts'
import { syntheticRun } from './quality.ts'

/** The reference project on the real server, with a model run, and a replica that edits it as a collaborator. */
export interface SeededReference {
  ref: Reference
  id: string
  token: string
  /** The name of the model run stored with the project, for the Quality view. */
  runName: string
  /** One more edit round (DESIGN.md's reference round), sent to the server as a collaborator's. */
  editRound: () => void
  /** Items the live project has now, as the replica sees it. */
  liveItems: () => number
  close: () => void
}

const waitUntil = async (ok: () => boolean, what: string, timeoutMs = 600_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * Builds the reference project (N items x 3 labels, 20 rounds, a version after each), adds a
 * model run of about ten predictions per image (its file a blob on the server, as an import
 * leaves it), and keeps a replica connected whose edit rounds reach the app as a collaborator's.
 */
export const seedReference = async (server: StrataServer, items: number): Promise<SeededReference> => {
  const ref = buildReference(items)
  const { id, token } = await server.createProject(`Reference ${items}`)
  const runName = 'bench model'
  const rows = syntheticRun(D.readProject(ref.doc))
  const blob = await putBlob(server, id, token, new TextEncoder().encode(JSON.stringify(rows)))
  D.addRun(ref.doc, { name: runName, model: 'synthetic', blob, count: rows.length }, SEEDER)
  // A version after the run, so latest starts with nothing outstanding, as the reference does.
  ref.versions.push(D.createVersion(ref.doc, { name: 'model run' }, SEEDER))

  const replica: Replica = await connectReplica(server, id, token)
  Y.applyUpdate(replica.doc, Y.encodeStateAsUpdate(ref.doc), ref)
  // Both ways, so the next edit round starts from what the app left (a discard, a restore).
  ref.doc.on('update', (update: Uint8Array, origin: unknown) => origin !== replica && Y.applyUpdate(replica.doc, update, ref))
  replica.doc.on('update', (update: Uint8Array, origin: unknown) => origin !== ref && Y.applyUpdate(ref.doc, update, replica))

  const check = await connectReplica(server, id, token)
  const itemCount = D.maps(ref.doc).items.size
  await waitUntil(() => D.maps(check.doc).items.size >= itemCount, 'the server to hold the reference project')
  check.close()
  return { ref, id, token, runName, editRound: ref.editRound, liveItems: () => D.maps(ref.doc).items.size, close: replica.close }
}

/**
 * A COCO ground-truth file for `images` of the project's items (by file name, from `first`),
 * three boxes each in the project's classes: what an annotation vendor sends back for a batch.
 */
export const cocoBatch = (first: number, images: number, seed = 5): { text: string; labels: number } => {
  const rand = prng(seed + first)
  const categories = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, name: `class ${i}` }))
  const rows = Array.from({ length: images }, (_, k) => ({ id: k + 1, file_name: `img_${first + k}.jpg`, width: 640, height: 480 }))
  const annotations = rows.flatMap((image) =>
    Array.from({ length: 3 }, (_, l) => ({
      id: image.id * 3 + l,
      image_id: image.id,
      category_id: 1 + Math.floor(rand() * 10),
      bbox: [Math.floor(rand() * 500), Math.floor(rand() * 400), 10 + Math.floor(rand() * 100), 10 + Math.floor(rand() * 60)],
      area: 1000,
      iscrowd: 0,
    })),
  )
  return { text: JSON.stringify({ images: rows, categories, annotations }), labels: annotations.length }
}
