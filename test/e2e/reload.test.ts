import { expect } from 'vitest'
import type { BrowserContext } from 'playwright-core'
import { listed, seen, test } from './harness.ts'
import { itemName, seedProject } from './seed.ts'

/** Image downloads held until the test lets them through: they arrive after the document has loaded. */
const heldImages = () => {
  let release: () => void = () => undefined
  const gate = new Promise<void>((resolve) => (release = resolve))
  const prepare = async (context: BrowserContext): Promise<void> => {
    await context.route('**/api/projects/*/blobs/*', async (route) => {
      await gate
      // The page that asked may be gone (a reload): then nobody waits for this answer.
      await route.continue().catch(() => undefined)
    })
  }
  return { prepare, release: () => release() }
}

test('reloading right after creating versions logs no IndexedDB error, and the images still arrive', async ({ server, people }) => {
  // Big enough that the loading preview (from this device's grid cache) shows before the document is in.
  const seeded = await seedProject(server, { name: 'Reload', items: 400, versions: ['Baseline'] })
  const images = heldImages()
  const ada = (await people.open('Ada', server.link(seeded.id, seeded.token), { prepare: images.prepare })).project
  const problems: string[] = []
  ada.page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text())
  })
  ada.page.on('pageerror', (error) => problems.push(error.message))

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
