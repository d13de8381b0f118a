import { createHash } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import {
  type Actor, type ItemId, type LabelId, addClass, addItem, addLabel, createProject as createProjectDoc, createVersion,
  openVersion, readProject, removeLabel, setTag, updateLabel,
} from '../../src/domain/index.ts'
import { type CocoFile, toCoco } from '../../src/io/index.ts'
import { api, canonical, createProject, waitFor } from '../server/harness.ts'
import { CONVERGE_MS, SLOW, allSynced, useCluster } from './cluster.ts'

const cluster = useCluster()
const ada: Actor = { id: 'u-ada', name: 'Ada' }
const blob = (i: number): string => createHash('sha256').update(`image ${i}`).digest('hex')
const json = (doc: Y.Doc): string => canonical(readProject(doc))
const same = (a: Y.Doc, b: Y.Doc): boolean => Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b)) && json(a) === json(b)

// An export says when it was made; everything else must be the version's.
const withoutExportTime = (coco: CocoFile): unknown => {
  const copy = JSON.parse(JSON.stringify(coco)) as { info?: { date_created?: unknown }, strata?: { exported?: unknown } }
  if (copy.info) copy.info.date_created = 'exported at'
  if (copy.strata) copy.strata.exported = 'exported at'
  return copy
}

const buildProject = (doc: Y.Doc): void => {
  const cat = addClass(doc, { name: 'cat' })
  const dog = addClass(doc, { name: 'dog' })
  for (let i = 0; i < 6; i++) {
    const item = addItem(doc, { name: `img-${i}.png`, blob: blob(i), mime: 'image/png', width: 640, height: 480 }, ada)
    addLabel(doc, item, { classId: cat, bbox: [i, i, 20, 30] }, ada)
    addLabel(doc, item, { classId: dog, bbox: [100, 50 + i, 40, 40] }, ada)
    if (i % 2 === 0) setTag(doc, item, 'train', true)
  }
}

// Moves a label, deletes another, adds an item and a class: the version must show none of it.
const editAfterVersion = (doc: Y.Doc): void => {
  const [first, second] = readProject(doc).items
  const moved = first?.labels[0]
  if (first && moved) updateLabel(doc, first.id as ItemId, moved.id as LabelId, { bbox: [1, 2, 3, 4] }, ada)
  const gone = second?.labels[1]
  if (second && gone) removeLabel(doc, second.id as ItemId, gone.id as LabelId)
  const bird = addClass(doc, { name: 'bird' })
  const item = addItem(doc, { name: 'after.png', blob: blob(99), mime: 'image/png', width: 10, height: 10 }, ada)
  addLabel(doc, item, { classId: bird, bbox: [0, 0, 5, 5] }, ada)
  if (first) setTag(doc, first.id as ItemId, 'val', true)
}

describe('versions across processes', () => {
  test('a version made through one process exports and opens exactly through the others', async () => {
    const [a, b, c] = await Promise.all([cluster.server(), cluster.server(), cluster.server()])
    const { id, token } = await createProject(a!.url, 'Versions')
    const creator = cluster.client(a!.url, id, token, 'creator', createProjectDoc({ name: 'Versions' }))
    const onB = cluster.client(b!.url, id, token, 'on-b')
    const onC = cluster.client(c!.url, id, token, 'on-c')
    await allSynced([creator, onB, onC])

    buildProject(creator.doc)
    const version = createVersion(creator.doc, { name: 'v1' }, ada)
    const recorded = json(openVersion(creator.doc, version.id))
    const coco = toCoco(readProject(openVersion(creator.doc, version.id)), version.id)
    expect(recorded).toBe(json(creator.doc))
    editAfterVersion(creator.doc)
    expect(json(creator.doc)).not.toBe(recorded)
    await waitFor(() => same(creator.doc, onB.doc) && same(creator.doc, onC.doc), CONVERGE_MS, 'the edits after the version everywhere')

    const exported = await api(b!.url, 'GET', `/api/projects/${id}/export?version=v1&format=coco`, token)
    expect(exported.status).toBe(200)
    expect(withoutExportTime(exported.json as CocoFile)).toEqual(withoutExportTime(coco))
    const latest = await api(b!.url, 'GET', `/api/projects/${id}/export?format=coco`, token)
    expect(withoutExportTime(latest.json as CocoFile)).toEqual(withoutExportTime(toCoco(readProject(creator.doc))))
    expect(withoutExportTime(latest.json as CocoFile)).not.toEqual(withoutExportTime(coco))

    expect(json(openVersion(onC.doc, version.id))).toBe(recorded)
    // A process that never held the room reads the version from the log alone.
    const d = await cluster.server()
    const late = cluster.client(d.url, id, token, 'late')
    await allSynced([late])
    await waitFor(() => same(creator.doc, late.doc), CONVERGE_MS, 'late client has everything')
    expect(json(openVersion(late.doc, version.id))).toBe(recorded)
    const fromD = await api(d.url, 'GET', `/api/projects/${id}/export?version=${version.id}&format=coco`, token)
    expect(withoutExportTime(fromD.json as CocoFile)).toEqual(withoutExportTime(coco))
  }, SLOW)
})
