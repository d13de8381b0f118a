import { expect } from 'vitest'
import { listed, present, seen, test } from './harness.ts'
import { itemName, seedProject } from './seed.ts'

const ITEM = itemName(3)
const RAW_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/

test('a version deleted while Bob views it: he is told which and by whom, is back on Latest, and his work is untouched', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Deleted under him', items: 10, versions: ['Baseline', 'Reviewed'] })
  const editorToken = await server.createToken(seeded.id, seeded.token, 'editor')
  const alice = (await people.open('Alice', server.link(seeded.id, seeded.token))).project
  const bob = (await people.open('Bob', server.link(seeded.id, editorToken))).project
  await expect.poll(() => bob.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)

  // Bob has outstanding work on latest, then looks at Baseline.
  let view = await bob.openItem(ITEM)
  await view.addTag('bobs-work')
  await view.close()
  await bob.sidebar.openVersion('Baseline')
  await seen(bob.readOnlyBanner)
  const baselineLink = bob.page.url()
  expect(baselineLink).toMatch(/[?&]version=/)

  // Alice deletes Baseline.
  await alice.history.delete('Baseline')

  // Bob is told by name and by whom, and is back on Latest: banner, picker, URL and grid.
  await seen(bob.versionNotice.filter({ hasText: 'Version "Baseline" was deleted by Alice' }))
  expect(await bob.versionNotice.textContent()).toMatch(/back on Latest; your outstanding work there is untouched/)
  await bob.readOnlyBanner.waitFor({ state: 'detached' })
  expect(await bob.sidebar.chosenVersion()).toBe('Latest')
  expect(bob.page.url()).not.toMatch(/[?&]version=/)
  expect(await bob.sidebar.versionOption('Baseline').count()).toBe(0)
  await bob.explorer.search('')
  await expect.poll(() => bob.explorer.count.textContent()).toMatch(/^\s*10 items/)
  view = await bob.openItem(ITEM)
  await seen(view.removeTagButton('bobs-work'))
  await seen(view.addTagInput)
  await view.close()
  await bob.versionPanel.show()
  await seen(bob.page.getByText(/^\s*1 change\s*$/))
  expect(await bob.alerts.count()).toBe(0)

  // The old link (a reload, a bookmark) says the same by name, and shows Latest, never a raw id.
  await bob.visit(baselineLink, 'Bob')
  await seen(bob.versionNotice.filter({ hasText: 'Version "Baseline" was deleted by Alice. Showing Latest.' }))
  await expect.poll(() => bob.explorer.count.textContent()).toMatch(/^\s*10 items/)
  expect(await bob.readOnlyBanner.count()).toBe(0)
  expect(await bob.page.locator('main').textContent()).not.toMatch(RAW_ID)
  expect(await bob.alerts.count()).toBe(0)
})

test('a link naming a version that is not in the project says so and shows Latest; one naming a real version opens it once synced', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Links', items: 6, versions: ['Baseline'] })
  const baseline = await seedVersionId(server, seeded.id, seeded.token, 'Baseline')
  const editorToken = await server.createToken(seeded.id, seeded.token, 'editor')

  // A first visit: nothing of the project is on Carol's device until the first sync.
  const carol = (await people.open('Carol', server.link(seeded.id, editorToken, { version: baseline }))).project
  await seen(carol.readOnlyBanner.filter({ hasText: 'Baseline' }))
  expect(await present(carol.editControls())).toBe(0)

  await carol.visit(server.link(seeded.id, editorToken, { version: '00000000-0000-4000-8000-000000000000' }), 'Carol')
  await seen(carol.versionNotice.filter({ hasText: 'The version this link names is not in this project' }))
  expect(await carol.versionNotice.textContent()).toMatch(/Showing Latest/)
  await expect.poll(() => carol.explorer.count.textContent()).toMatch(/^\s*6 items/)
  expect(await carol.sidebar.chosenVersion()).toBe('Latest')
  expect(carol.page.url()).not.toMatch(/[?&]version=/)
  expect(await carol.page.locator('main').textContent()).not.toMatch(RAW_ID)
  await carol.versionNotice.getByRole('button', { name: 'Dismiss' }).click()
  await carol.versionNotice.waitFor({ state: 'detached' })
})

test('the version form warns that a name is already used, and still creates the second one', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Same name', items: 4, versions: ['Baseline'] })
  const ada = (await people.open('Ada', server.link(seeded.id, seeded.token))).project
  const view = await ada.openItem(itemName(0))
  await view.addTag('more')
  await view.close()

  await ada.versionPanel.show()
  await ada.versionPanel.nameInput.fill('Base')
  expect(await ada.versionPanel.nameNote.count()).toBe(0)
  await ada.versionPanel.nameInput.fill(' Baseline ')
  await seen(ada.versionPanel.nameNote.filter({ hasText: 'A version named "Baseline" already exists: by Seeder, ' }))
  expect(await ada.versionPanel.nameNote.textContent()).toMatch(/You can still create it/)
  await ada.versionPanel.createButton.click()
  await seen(ada.page.getByText('Version "Baseline" created'))
  await listed(ada.sidebar.versionOption('Baseline').nth(1))
  const names = (await ada.sidebar.versionOptions()).filter((text) => text.startsWith('Baseline — '))
  expect(names.map((text) => text.split(', ')[0])).toEqual(['Baseline — Ada', 'Baseline — Seeder'])
})

/** The id of a seeded version, from the server's list as the CLI or a pipeline would read it. */
const seedVersionId = async (server: { url: string }, projectId: string, token: string, name: string): Promise<string> => {
  const res = await fetch(`${server.url}/api/projects/${projectId}/export?version=${encodeURIComponent(name)}`, { headers: { authorization: `Bearer ${token}` } })
  const coco = (await res.json()) as { info?: { version?: string } }
  const id = coco.info?.version
  if (!id) throw new Error(`No version "${name}" in project ${projectId}: ${res.status}`)
  return id
}
