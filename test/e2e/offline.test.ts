import { expect } from 'vitest'
import type { Page } from 'playwright-core'
import { listed, seen, test, textOnceMatching } from './harness.ts'
import { startCuttableLink } from './proxy.ts'
import { itemName, seedProject } from './seed.ts'

const TAGGED = itemName(0)
const BOXED = itemName(1)
const BENS = itemName(3)

/** Waits until the app's service worker is active, i.e. the app shell is cached for offline use. */
const appShellCached = (page: Page): Promise<unknown> =>
  page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.active?.state === 'activated', undefined, { timeout: 20_000 })

test('work done offline, across a reload and including a new version, reaches everyone once back online', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Field trip', items: 8, versions: ['Baseline'] })
  const network = await startCuttableLink(server.url)
  try {
    const editorToken = await server.createToken(seeded.id, seeded.token, 'editor')
    const adaPerson = await people.open('Ada', server.link(seeded.id, seeded.token, { base: network.url }))
    const ada = adaPerson.project
    const ben = (await people.open('Ben', server.link(seeded.id, editorToken))).project
    await expect.poll(() => ada.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)
    await appShellCached(ada.page)

    // Ada loses the network.
    network.cut()
    await adaPerson.context.setOffline(true)
    await expect.poll(() => ada.sidebar.syncStatus.textContent()).toMatch(/^\s*Offline/)

    // She keeps working: a tag and a box.
    let view = await ada.openItem(TAGGED)
    await view.addTag('offline-edit')
    await view.close()
    view = await ada.openItem(BOXED)
    await view.drawBox([0.6, 0.1], [0.95, 0.4])
    const adaBoxes = await view.boxIds()
    expect(adaBoxes).toHaveLength(4)
    await view.close()

    // A reload with no network: the app shell from the service worker, the project from IndexedDB.
    await ada.reload('Ada')
    expect.soft(await textOnceMatching(ada.sidebar.syncStatus, /^\s*Offline/), 'the sync state after a reload with no network').toMatch(/^\s*Offline/)
    view = await ada.openItem(TAGGED)
    await seen(view.removeTagButton('offline-edit'))
    await view.close()
    view = await ada.openItem(BOXED)
    await expect.poll(() => view.boxIds()).toEqual(adaBoxes)
    await view.close()

    // A version made offline.
    await ada.versionPanel.createVersion('Offline work', 'Tagged and boxed on the train')
    await listed(ada.sidebar.versionOption('Offline work'))

    // Meanwhile Ben, online, tags another item.
    const benView = await ben.openItem(BENS)
    await benView.addTag('online-edit')
    await benView.close()
    expect(await ben.sidebar.versionOption('Offline work').count()).toBe(0)

    // Back online: both converge.
    network.restore()
    await adaPerson.context.setOffline(false)
    await expect.poll(() => ada.sidebar.syncStatus.textContent(), { timeout: 30_000 }).toMatch(/^\s*Online/)
    await listed(ben.sidebar.versionOption('Offline work'))
    expect((await ben.sidebar.versionOption('Offline work').textContent())?.trim()).toMatch(/^Offline work — Ada, /)

    for (const person of [ada, ben]) {
      const tagged = await person.openItem(TAGGED)
      await seen(tagged.removeTagButton('offline-edit'))
      await tagged.close()
      const boxed = await person.openItem(BOXED)
      await expect.poll(() => boxed.boxIds()).toEqual(adaBoxes)
      await boxed.close()
      const bens = await person.openItem(BENS)
      await seen(bens.removeTagButton('online-edit'))
      await bens.close()
    }
    expect(await ada.sidebar.versionOptions()).toEqual(await ben.sidebar.versionOptions())
  } finally {
    await network.close()
  }
})
