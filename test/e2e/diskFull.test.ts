import { expect } from 'vitest'
import { seen, test } from './harness.ts'
import { startCuttableLink } from './proxy.ts'
import { fillDisk } from './disk.ts'
import { itemName, seedProject } from './seed.ts'

const FIRST = itemName(0)
const SECOND = itemName(1)

test('offline with a full disk: the change is kept in the tab, the sidebar says it is not saved, and it is saved once there is room', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Full disk', items: 4, versions: ['Baseline'] })
  const network = await startCuttableLink(server.url)
  try {
    const adaPerson = await people.open('Ada', server.link(seeded.id, seeded.token, { base: network.url }))
    const ada = adaPerson.project
    await expect.poll(() => ada.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)
    // Offline, so this device's storage is the only place the work can be kept.
    network.cut()
    await adaPerson.context.setOffline(true)
    await expect.poll(() => ada.sidebar.syncStatus.textContent()).toMatch(/^\s*Offline/)

    // The disk fills up: IndexedDB refuses every new update, as it does past the quota, where the engine stores them.
    const disk = await fillDisk(ada.page)
    let view = await ada.openItem(FIRST)
    await view.addTag('while-full')
    await view.close()
    await expect.poll(() => ada.sidebar.syncStatus.textContent()).toMatch(/not saved on this device: this device is out of storage space/)

    // Room again: the next change saves everything, the warning goes.
    await disk.free()
    view = await ada.openItem(SECOND)
    await view.addTag('after-room')
    await view.close()
    await expect.poll(() => ada.sidebar.syncStatus.textContent(), { timeout: 10_000 }).not.toMatch(/not saved on this device/)

    // A reload, still offline: both changes come back from this device's storage.
    await ada.reload('Ada')
    view = await ada.openItem(FIRST)
    await seen(view.removeTagButton('while-full'))
    await view.close()
    view = await ada.openItem(SECOND)
    await seen(view.removeTagButton('after-room'))
    await view.close()
  } finally {
    await network.close()
  }
})
