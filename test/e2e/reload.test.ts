import { expect, onTestFinished } from 'vitest'
import { listed, seen, test } from './harness.ts'
import { itemName, seedProject } from './seed.ts'
import { startHoldingLink } from './relay.ts'
import { engineConsole } from './engineWorker.ts'

/**
 * Image downloads held until the test lets them through, on the network between the app and
 * the server (the engine worker downloads them): they arrive after the document has loaded.
 */
const heldImages = async (target: string) => {
  const link = await startHoldingLink(target, /^\/api\/projects\/[^/]+\/blobs\/[^/]+$/)
  onTestFinished(() => link.close())
  return { base: link.url, release: link.release }
}

test('reloading right after creating versions logs no IndexedDB error, and the images still arrive', async ({ server, people }) => {
  // Big enough that the loading preview (from this device's grid cache) shows before the document is in.
  const seeded = await seedProject(server, { name: 'Reload', items: 400, versions: ['Baseline'] })
  const images = await heldImages(server.url)
  const ada = (await people.open('Ada', server.link(seeded.id, seeded.token, { base: images.base }))).project
  const problems: string[] = []
  ada.page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text())
  })
  ada.page.on('pageerror', (error) => problems.push(error.message))
  // IndexedDB is used in the engine's worker: what it logs counts as much as the page's.
  const stopHearing = await engineConsole(ada.page, (type, text) => {
    if (type === 'error' || type === 'warning') problems.push(text)
  })
  onTestFinished(stopHearing)

  for (const [i, name] of ['First pass', 'Second pass'].entries()) {
    const view = await ada.openItem(itemName(i))
    await view.addTag(`pass-${i}`)
    await view.close()
    await ada.versionPanel.createVersion(name)
    await seen(ada.page.getByText(`Version "${name}" created`))
  }
  // The grid cache was written (the next start paints from it), and the images have not arrived yet.
  await expect.poll(() => ada.page.evaluate(() => performance.getEntriesByName('strata:grid-cached').length)).toBeGreaterThan(0)
  expect(await ada.explorer.grid.locator('img').count()).toBe(0)

  await ada.page.reload()
  await seen(ada.page.getByRole('status').filter({ hasText: /Loading project/ }))
  await ada.explorer.grid.and(ada.page.locator('[aria-busy="true"]')).waitFor({ state: 'detached' })
  // What the preview asked for arrives after it has gone; the live grid shows the images.
  images.release()
  await expect.poll(() => ada.explorer.grid.locator('img').count()).toBeGreaterThan(0)
  // The preview's downloads were let through together with the grid's: give their writes a moment.
  await new Promise((resolve) => setTimeout(resolve, 500))
  expect(problems.filter((text) => /IndexedDB|IDBDatabase|database connection/i.test(text))).toEqual([])
  // Nothing was lost either: both versions are there after the reload.
  await listed(ada.sidebar.versionOption('Second pass'))
  await listed(ada.sidebar.versionOption('First pass'))
})
