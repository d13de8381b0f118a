import { expect } from 'vitest'
import { seen, test } from './harness.ts'
import { itemName, seedProject } from './seed.ts'

const ITEM = itemName(1)

test('two people editing at once see each other and each other’s changes live', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Together', items: 10, versions: ['Baseline'] })
  const editorToken = await server.createToken(seeded.id, seeded.token, 'editor')
  const ada = (await people.open('Ada', server.link(seeded.id, seeded.token))).project
  const benPerson = await people.open('Ben', server.link(seeded.id, editorToken))
  const ben = benPerson.project

  // Presence: each sees the other in `People here`.
  await seen(ada.sidebar.person('Ben'))
  await seen(ben.sidebar.person('Ada'))
  await expect.poll(() => ada.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)
  await expect.poll(() => ben.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)

  // Both look at the same item; Ada tags it, Ben sees the tag arrive.
  const adaView = await ada.openItem(ITEM)
  const benView = await ben.openItem(ITEM)
  await adaView.addTag('from-ada')
  await seen(benView.removeTagButton('from-ada'))

  // Ben draws a box, Ada sees it arrive; Ben removes the tag, Ada sees it go.
  const before = await adaView.boxIds()
  await benView.drawBox([0.6, 0.6], [0.95, 0.95])
  const afterBen = await benView.boxIds()
  expect(afterBen).toHaveLength(before.length + 1)
  await expect.poll(() => adaView.boxIds()).toEqual(afterBen)
  await benView.removeTag('from-ada')
  await adaView.removeTagButton('from-ada').waitFor({ state: 'detached' })

  // Ada deletes Ben's box; Ben sees it go.
  const bensBox = afterBen.find((id) => !before.includes(id)) ?? ''
  const order = await adaView.boxes.evaluateAll((boxes) => boxes.map((box) => box.getAttribute('data-label-id')))
  await adaView.deleteBox(order.indexOf(bensBox))
  await expect.poll(() => benView.boxIds()).toEqual(before)

  // Presence says which version each person looks at.
  await seen(ben.sidebar.person('Ada').filter({ hasText: 'Latest' }))
  await adaView.close()
  await ada.sidebar.openVersion('Baseline')
  await seen(ben.sidebar.person('Ada').filter({ hasText: 'Baseline' }))
  expect(await ada.alerts.count()).toBe(0)
  expect(await ben.alerts.count()).toBe(0)

  // Ben closes his browser: he is no longer listed as here.
  await benPerson.context.close()
  await ada.sidebar.person('Ben').waitFor({ state: 'detached' })
})
