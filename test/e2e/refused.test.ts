import { expect } from 'vitest'
import * as Y from 'yjs'
import { type LabelRecord, maps } from '../../src/domain/index.ts'
import { test } from './harness.ts'
import { connectReplica, seedProject } from './seed.ts'
import { sendOnAppLink, syncUpdateMessage } from './forge.ts'

test('a malformed record sent on an editor’s link is refused with the reason shown, and reaches no one', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Guarded', items: 3, versions: [] })
  const editorToken = await server.createToken(seeded.id, seeded.token, 'editor')
  const owner = await connectReplica(server, seeded.id, seeded.token)
  try {
    const forged = new Y.Doc({ gc: false })
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(owner.doc))
    const before = Y.encodeStateVector(forged)
    maps(forged).labels.set('junk', { nonsense: true } as unknown as LabelRecord)
    const message = syncUpdateMessage(Y.encodeStateAsUpdate(forged, before))

    const eve = await people.open('Eve', server.link(seeded.id, editorToken))
    const page = await eve.context.newPage()
    await eve.project.page.close()
    expect(await sendOnAppLink(page, server.link(seeded.id, editorToken), message)).toBe(true)

    // The person sees why the link stopped, where the sync state is shown.
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/invalid record: labels "junk"/)
    // Barrier: a later write by the owner arrives; the junk, sent earlier, never does.
    maps(owner.doc).meta.set('name', 'Guarded still')
    const fresh = await connectReplica(server, seeded.id, seeded.token)
    try {
      await expect.poll(() => maps(fresh.doc).meta.get('name')).toBe('Guarded still')
      expect(maps(fresh.doc).labels.has('junk')).toBe(false)
    } finally {
      fresh.close()
    }
  } finally {
    owner.close()
  }
})
