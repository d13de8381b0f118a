import { createHash } from 'node:crypto'
import { afterEach, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import {
  type ClassId, type ItemId, type LabelId, type VersionId, addClass, addItem, addLabel, createProject as createProjectDoc,
  createVersion, discardChanges, listVersions, openVersion, readProject, removeLabel, setTag, updateLabel,
} from '../../src/domain/index.ts'
import { type Client, canonical, connectClient, createProject, startTestServer, synced, waitFor } from './harness.ts'

const ada = { id: 'u-ada', name: 'Ada' }
const bob = { id: 'u-bob', name: 'Bob' }
const blob = (i: number): string => createHash('sha256').update(`image ${i}`).digest('hex')
const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const json = (doc: Y.Doc): string => canonical(readProject(doc))
const sameState = (a: Client, b: Client): boolean =>
  Y.encodeStateVector(a.doc).toString() === Y.encodeStateVector(b.doc).toString() && json(a.doc) === json(b.doc)

// One editing round: move or reclassify some labels, delete one, add an item, tag another.
const editRound = (doc: Y.Doc, r: number, classes: ClassId[], who = ada): void => {
  const state = readProject(doc)
  state.items.slice(0, 3).forEach((item, i) => {
    const label = item.labels[0]
    if (label === undefined) return
    if (i === 0) updateLabel(doc, item.id, label.id, { bbox: [r, r, 10 + r, 10] }, who)
    else if (i === 1) updateLabel(doc, item.id, label.id, { classId: classes[r % classes.length]! }, who)
    else removeLabel(doc, item.id, label.id as LabelId)
  })
  const id = addItem(doc, { name: `img-${who.id}-${r}.png`, blob: blob(1000 + r), mime: 'image/png', width: 640, height: 480 }, who)
  addLabel(doc, id, { classId: classes[0]!, bbox: [1, 2, 3, 4] }, who)
  const first = state.items[0]
  if (first !== undefined) setTag(doc, first.id as ItemId, `round-${r}`, true)
}

describe('versions through the server', () => {
  test('a fresh client after many edits, a restart and a compaction opens the oldest version to exactly its recorded JSON', async () => {
    const server = await startTestServer(undefined, { compactAfter: 25 })
    const { id, token } = await createProject(server.url)
    const a = connectClient(server.url, id, token, createProjectDoc({ name: 'Versions' }))
    const b = connectClient(server.url, id, token)
    await Promise.all([synced(a), synced(b)])

    const classes = [addClass(a.doc, { name: 'cat' }), addClass(a.doc, { name: 'dog' })]
    for (let i = 0; i < 12; i++) {
      const item = addItem(a.doc, { name: `img-${i}.png`, blob: blob(i), mime: 'image/png', width: 640, height: 480 }, ada)
      for (let l = 0; l < 3; l++) addLabel(a.doc, item, { classId: classes[l % 2]!, bbox: [l, l, 20, 20] }, ada)
    }
    const oldest = createVersion(a.doc, { name: 'v1' }, ada)
    const recorded = json(a.doc)
    const oldestAfterwards: Array<[VersionId, string]> = [[oldest.id, recorded]]

    await waitFor(() => sameState(a, b), 10_000, 'b has v1')
    for (let r = 1; r <= 8; r++) {
      editRound(a.doc, r, classes, ada)
      editRound(b.doc, r, classes, bob)
      await waitFor(() => sameState(a, b), 10_000, `round ${r}`)
      if (r % 3 === 0) {
        const v = createVersion(a.doc, { name: `v-${r}` }, ada)
        oldestAfterwards.push([v.id, json(a.doc)])
      }
    }
    editRound(a.doc, 9, classes, ada)
    discardChanges(a.doc, ada)
    await waitFor(() => sameState(a, b), 10_000, 'after discard')

    a.provider.disconnect()
    b.provider.disconnect()
    const port = Number(new URL(server.url).port)
    await server.close()
    const again = await startTestServer(server.dataDir, { port, compactAfter: 25 })
    cleanup.push(() => again.close())
    a.provider.connect()
    await synced(a)
    editRound(a.doc, 10, classes, ada)
    await waitFor(() => again.metrics.updatesReceived > 0, 5000, 'edit after restart logged')
    await (await again.rooms.get(id)).compact()

    const fresh = connectClient(again.url, id, token)
    cleanup.push(() => fresh.provider.destroy(), () => a.provider.destroy(), () => b.provider.destroy())
    await synced(fresh)
    await waitFor(() => sameState(a, fresh), 10_000, 'fresh client caught up')
    expect(listVersions(fresh.doc).map((v) => v.id)).toEqual(listVersions(a.doc).map((v) => v.id))
    for (const [versionId, expected] of oldestAfterwards) {
      expect(json(openVersion(fresh.doc, versionId))).toBe(expected)
    }
    expect(json(openVersion(fresh.doc, oldest.id))).toBe(recorded)
    expect(json(fresh.doc)).not.toBe(recorded)
  })
})
