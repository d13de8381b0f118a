import { expect } from 'vitest'
import { listed, present, seen, test } from './harness.ts'
import { itemName, seedProject } from './seed.ts'

const ITEM = itemName(2)
const TAG = 'needs-review'

test('a version keeps the project as it was; work on latest survives viewing, discarding and restoring', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Version story', items: 12 })
  const { project } = await people.open('Ada', server.link(seeded.id, seeded.token))
  const { sidebar, versionPanel, history, explorer } = project
  await expect.poll(() => explorer.count.textContent()).toMatch(/^\s*12 items/)

  // Create a version of the project as seeded.
  await versionPanel.createVersion('Baseline', 'Shapes as delivered')
  await listed(sidebar.versionOption('Baseline'))
  expect((await sidebar.versionOption('Baseline').textContent())?.trim()).toMatch(/^Baseline — Ada, /)

  // Edit on latest: tag an item, draw a box, delete one of the original boxes.
  let view = await project.openItem(ITEM)
  const original = await view.boxIds()
  expect(original).toHaveLength(3)
  await view.addTag(TAG)
  await view.drawBox([0.55, 0.55], [0.9, 0.9])
  await view.deleteBox(0)
  const edited = await view.boxIds()
  expect(edited).toHaveLength(3)
  expect(edited).not.toEqual(original)
  await view.close()

  // Open the old version: read-only for real, and it shows the project as it was.
  await sidebar.openVersion('Baseline')
  await seen(project.readOnlyBanner)
  expect(await project.readOnlyBanner.textContent()).toMatch(/read-only/i)
  expect(project.page.url()).toMatch(/[?&]version=/)
  // The address names the place only: sharing it does not hand over the token.
  expect(project.page.url()).not.toMatch(/token=/)
  expect(await present(project.editControls())).toBe(0)
  view = await project.openItem(ITEM)
  expect(await view.boxIds()).toEqual([...original].sort())
  expect(await view.text()).not.toContain(TAG)
  expect(await present(project.editControls())).toBe(0)
  expect(await view.removeTagButton(TAG).count()).toBe(0)
  await view.close()

  // The version is in the URL: a reload (or a shared link) opens the same old version.
  await project.reload('Ada')
  await seen(project.readOnlyBanner)
  expect(await present(project.editControls())).toBe(0)
  view = await project.openItem(ITEM)
  expect(await view.boxIds()).toEqual([...original].sort())
  await view.close()

  // Back to latest: the outstanding work is intact.
  await project.backToLatest()
  expect(project.page.url()).not.toMatch(/[?&]version=/)
  view = await project.openItem(ITEM)
  await expect.poll(() => view.boxIds()).toEqual(edited)
  await seen(view.removeTagButton(TAG))
  await view.close()

  // Discard the outstanding changes: the item is back to the version.
  await versionPanel.discardChanges()
  view = await project.openItem(ITEM)
  await expect.poll(() => view.boxIds()).toEqual([...original].sort())
  expect(await view.removeTagButton(TAG).count()).toBe(0)
  expect(await view.text()).not.toContain(TAG)
  await view.close()

  // The discarded work is kept as a `discarded` record in the history; restoring it brings it back.
  await history.show()
  await seen(history.row(/discarded/i).first())
  await history.restore(/discarded/i)
  view = await project.openItem(ITEM)
  await expect.poll(() => view.boxIds()).toEqual(edited)
  await seen(view.removeTagButton(TAG))
  await view.close()
  expect(await project.alerts.count()).toBe(0)
})
