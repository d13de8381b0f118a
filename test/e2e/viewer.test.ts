import { expect } from 'vitest'
import * as Y from 'yjs'
import { type ItemId, maps, removeLabel, setTag, tagKey } from '../../src/domain/index.ts'
import { present, seen, test } from './harness.ts'
import { connectReplica, itemName, seedProject } from './seed.ts'
import { sendOnAppLink, syncUpdateMessage } from './forge.ts'

const ITEM = itemName(0)

test('a viewer link shows the project but cannot change it, not even by forcing a write', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Look only', items: 6, versions: ['Baseline'] })
  const viewerToken = await server.createToken(seeded.id, seeded.token, 'viewer')
  const ada = (await people.open('Ada', server.link(seeded.id, seeded.token))).project
  const vicPerson = await people.open('Vic', server.link(seeded.id, viewerToken))
  const vic = vicPerson.project
  await expect.poll(() => vic.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)

  // No edit controls anywhere: toolbox, item view.
  await vic.versionPanel.show().catch(() => undefined)
  expect(await present(vic.editControls())).toBe(0)
  const view = await vic.openItem(ITEM)
  const boxes = await view.boxIds()
  expect(boxes).toHaveLength(3)
  expect(await present(vic.editControls())).toBe(0)
  expect(await view.root.getByRole('button', { name: /^Remove tag / }).count()).toBe(0)
  await view.close()
  await vic.history.show()
  await seen(vic.history.row('Baseline'))
  expect(await vic.page.getByRole('button', { name: /^(Restore|Delete)$/ }).count()).toBe(0)
  await vic.openItem(ITEM)

  // The Delete key on a box does nothing (whether or not a viewer can select one).
  await view.selectBox(0).catch(() => undefined)
  await vic.page.keyboard.press('Delete')
  expect(await view.boxIds()).toEqual(boxes)

  // Force a write through the app's own websocket: a tag and a deleted box, as raw Yjs.
  const owner = await connectReplica(server, seeded.id, seeded.token)
  try {
    const m = maps(owner.doc)
    const itemId = [...m.items.entries()].find(([, item]) => item.name === ITEM)?.[0] as ItemId
    const labelId = [...m.labels.entries()].find(([, label]) => label.itemId === itemId)?.[0]
    expect(labelId).toBeDefined()
    const forged = new Y.Doc({ gc: false })
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(owner.doc))
    const before = Y.encodeStateVector(forged)
    setTag(forged, itemId, 'forged-by-viewer', true)
    if (labelId) removeLabel(forged, itemId, labelId as Parameters<typeof removeLabel>[2])
    const message = syncUpdateMessage(Y.encodeStateAsUpdate(forged, before))

    // A fresh page of Vic's sends it on the app's link (its engine worker's websocket).
    const page = await vicPerson.context.newPage()
    await vic.page.close()
    expect(await sendOnAppLink(page, server.link(seeded.id, viewerToken), message)).toBe(true)

    // Barrier: a later owner edit reaches everyone; the forged one, sent earlier, must not have.
    const adaView = await ada.openItem(ITEM)
    await adaView.addTag('barrier')
    await expect.poll(() => m.tags.has(tagKey(itemId, 'barrier'))).toBe(true)
    expect(m.tags.has(tagKey(itemId, 'forged-by-viewer'))).toBe(false)
    expect(labelId && m.labels.has(labelId)).toBe(true)
    expect(await adaView.text()).not.toContain('forged-by-viewer')
    expect(await adaView.boxIds()).toEqual(boxes)

    // Control: the same bytes from an editor's page do change the project, so the message was well-formed.
    const editorToken = await server.createToken(seeded.id, seeded.token, 'editor')
    const eve = await people.open('Eve', server.link(seeded.id, editorToken))
    const evePage = await eve.context.newPage()
    await eve.project.page.close()
    expect(await sendOnAppLink(evePage, server.link(seeded.id, editorToken), message)).toBe(true)
    await expect.poll(() => m.tags.has(tagKey(itemId, 'forged-by-viewer'))).toBe(true)
  } finally {
    owner.close()
  }
})
