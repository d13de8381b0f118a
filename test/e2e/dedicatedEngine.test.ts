import { expect } from 'vitest'
import { seen, test } from './harness.ts'
import { connectReplica, itemName, seedProject } from './seed.ts'
import { maps, parseTagKey } from '../../src/domain/index.ts'

const ITEM = itemName(2)

test('in a browser without SharedWorker the engine runs in a dedicated worker: edits reach the server and survive a reload', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'No shared workers', items: 5, versions: ['Baseline'] })
  const ada = (await people.open('Ada', server.link(seeded.id, seeded.token), {
    prepare: async (context) => void (await context.addInitScript(() => Reflect.deleteProperty(window, 'SharedWorker'))),
  })).project
  expect(await ada.page.evaluate(() => typeof (window as { SharedWorker?: unknown }).SharedWorker)).toBe('undefined')
  await expect.poll(() => ada.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)

  let view = await ada.openItem(ITEM)
  await view.addTag('dedicated')
  await view.close()
  // On the server, as another replica sees it.
  const replica = await connectReplica(server, seeded.id, seeded.token)
  try {
    await expect.poll(() => [...maps(replica.doc).tags.keys()].map((k) => parseTagKey(k)?.tag)).toContain('dedicated')
  } finally {
    replica.close()
  }
  await ada.reload('Ada')
  view = await ada.openItem(ITEM)
  await seen(view.removeTagButton('dedicated'))
})
