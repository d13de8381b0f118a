import { afterEach, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { createProject, startTestServer, waitFor } from './harness.ts'
import { type MuxClient, connectMux } from './muxHarness.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const mux = (base: string, projectId: string, token: string): MuxClient => {
  const client = connectMux(base, projectId, token)
  cleanup.push(() => client.provider.destroy())
  return client
}

/** Frames for mux document `doc` the client has received so far (held ones included). */
const framesFor = (c: MuxClient, doc: number): number => c.wire.receivedDocs.filter((d) => d === doc).length

describe('a shard added again on the same socket', () => {
  test('syncs only from the answer to its new subscription: frames of the old one are not applied to the new doc', async () => {
    const server = await startTestServer()
    cleanup.push(() => server.close())
    const project = await createProject(server.url, 'Resubscribed')
    const writer = mux(server.url, project.id, project.token)
    const shard = writer.add(2)
    await waitFor(() => writer.provider.synced, 5000, 'writer synced')
    shard.getMap('scratch').set('x', 1)
    // The old doc holds x only: the server's answer to it carries y alone, which needs x.
    const old = new Y.Doc({ gc: false })
    Y.applyUpdate(old, Y.encodeStateAsUpdate(shard))
    shard.getMap('scratch').set('y', 2)
    const room = await server.rooms.get(`${project.id}.s2`)
    await waitFor(() => room.doc.getMap('scratch').size === 2, 5000, 'both edits on the server')

    const client = mux(server.url, project.id, project.token)
    await waitFor(() => client.provider.synced, 5000, 'client synced')
    const seen: Array<{ synced: boolean, x: unknown, y: unknown }> = []
    const fresh = new Y.Doc({ gc: false })
    client.provider.on('doc-sync', (doc, synced) => {
      if (doc === 2 && client.shards.get(2) === fresh) seen.push({ synced, x: fresh.getMap('scratch').get('x'), y: fresh.getMap('scratch').get('y') })
    })
    // The server's frames for the old subscription are still on their way when the shard is added again.
    client.wire.held = true
    client.add(2, old)
    await waitFor(() => framesFor(client, 3) === 3, 5000, 'the old subscription answered (subscribed, step 1, step 2)')
    client.add(2, fresh)
    await waitFor(() => framesFor(client, 3) === 6, 5000, 'the new subscription answered')
    client.wire.release()
    await waitFor(() => client.provider.docSynced(2), 5000, 'the new doc synced')
    expect(seen[0]).toEqual({ synced: true, x: 1, y: 2 })
    expect(old.getMap('scratch').toJSON()).toEqual({ x: 1 })
    expect(client.closes).toEqual([])
  })
})
