import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { findRecordProblem } from '../../sync-server/records.ts'
import { connectClient, createProject, startTestServer, synced, waitFor } from './harness.ts'

const by = { id: 'u1', name: 'Ann' }
const blob = 'ab'.repeat(32)

/** A server-side copy and a client copy of one labelled project. */
const pair = () => {
  const client = D.createProject({ name: 'P' })
  const cls = D.addClass(client, { name: 'car' })
  const item = D.addItem(client, { name: 'a.png', blob, mime: 'image/png', width: 100, height: 100 }, by)
  const label = D.addLabel(client, item, { classId: cls, bbox: [1, 1, 5, 5] }, by)
  const server = D.newProjectDoc()
  Y.applyUpdate(server, Y.encodeStateAsUpdate(client))
  const next = (change: () => void): Uint8Array => {
    const before = Y.encodeStateVector(server)
    change()
    return Y.encodeStateAsUpdate(client, before)
  }
  return { client, server, cls, item, label, next }
}

describe('record validation at the server', () => {
  test('accepts what the domain writes, overwrites included', () => {
    const p = pair()
    expect(findRecordProblem(p.server, Y.encodeStateAsUpdate(p.client))).toBeNull()
    const update = p.next(() => {
      D.updateLabel(p.client, p.item, p.label, { bbox: [2, 2, 5, 5] }, by)
      D.updateLabel(p.client, p.item, p.label, { bbox: [3, 3, 5, 5] }, by)
      D.setTag(p.client, p.item, 'night', true)
      const v = D.createVersion(p.client, { name: 'v1' }, by)
      D.removeItem(p.client, p.item)
      D.deleteVersion(p.client, v.id, by)
    })
    expect(findRecordProblem(p.server, update)).toBeNull()
  })

  test('refuses a malformed record written fresh, and one written as an overwrite of a valid one', () => {
    const p = pair()
    const fresh = p.next(() => D.maps(p.client).labels.set('x', { itemId: p.item } as unknown as D.LabelRecord))
    expect(findRecordProblem(p.server, fresh)).toMatch(/labels "x": bad field "classId"/)
    const p2 = pair()
    // An overwrite carries no parent or key in the update: they are found through its origin.
    const overwrite = p2.next(() => D.maps(p2.client).labels.set(p2.label, { ...D.maps(p2.client).labels.get(p2.label), bbox: [1, 1, -4, 2] } as D.LabelRecord))
    expect(Y.decodeUpdate(overwrite).structs.some((s) => s instanceof Y.Item && s.parent === null)).toBe(true)
    expect(findRecordProblem(p2.server, overwrite)).toMatch(/bad field "bbox"/)
  })

  test('refuses nested types and list inserts in Strata maps, bad tag keys and unknown meta fields', () => {
    const cases: Array<[string, (doc: Y.Doc) => void, RegExp]> = [
      ['nested map', (doc) => D.maps(doc).items.set('n', new Y.Map() as unknown as D.ItemRecord), /plain records only/],
      ['tag key', (doc) => D.maps(doc).tags.set('not-an-item:x', true), /bad tag key/],
      ['meta field', (doc) => D.maps(doc).meta.set('evil', 1), /unknown field/],
      ['version kind', (doc) => D.maps(doc).versions.set('v', { name: 'v' } as unknown as D.VersionRecord), /bad field/],
      ['deleted version', (doc) => D.maps(doc).deletedVersions.set('v', { name: 'v', deletedBy: 'Bob' } as unknown as D.DeletedVersionRecord), /deletedVersions "v": bad field/],
    ]
    for (const [, write, reason] of cases) {
      const p = pair()
      expect(findRecordProblem(p.server, p.next(() => write(p.client)))).toMatch(reason)
    }
  })

  test('a client sending a malformed record is closed with 4400 and the room is unchanged', async () => {
    const server = await startTestServer()
    const { id, token } = await createProject(server.url, 'Checked')
    const good = connectClient(server.url, id, token)
    const bad = connectClient(server.url, id, token)
    try {
      await Promise.all([synced(good), synced(bad)])
      D.addClass(good.doc, { name: 'car' })
      await waitFor(() => D.maps(bad.doc).classes.size === 1, 5000, 'class arrives')
      D.maps(bad.doc).labels.set('junk', { nonsense: true } as unknown as D.LabelRecord)
      await waitFor(() => bad.closes.length > 0, 5000, 'bad client closed')
      expect(bad.closes[0]).toMatchObject({ code: 4400, reason: expect.stringMatching(/^invalid record: labels "junk"/) })
      D.addClass(good.doc, { name: 'truck' })
      const fresh = connectClient(server.url, id, token)
      await synced(fresh)
      await waitFor(() => D.maps(fresh.doc).classes.size === 2, 5000, 'later edit arrives')
      expect(D.maps(fresh.doc).labels.has('junk')).toBe(false)
      fresh.provider.destroy()
    } finally {
      good.provider.destroy()
      bad.provider.destroy()
      await server.close()
    }
  })
})
