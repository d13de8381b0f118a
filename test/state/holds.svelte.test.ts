import { describe, expect, it } from 'vitest'
import { addItem, createProject } from '../../src/domain/index.ts'
import { keepOpenWhile } from '../../src/state/holds.ts'
import { ProjectLoad } from '../../src/state/load.svelte.ts'
import { memoryGridCaches } from '../../src/sync/gridCache.ts'

const by = { id: 'u1', name: 'Ada' }
const SHA = 'c'.repeat(64)
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

describe('closing a project while work still writes into it', () => {
  it('keeps the document open until the work is done, so its last writes are stored', async () => {
    const doc = createProject({ name: 'Busy' })
    const stored: Uint8Array[] = []
    // Stands for this device's storage: it listens until the project is destroyed.
    const store = (update: Uint8Array): void => void stored.push(update)
    doc.on('update', store)
    let destroyed = false
    const load = new ProjectLoad('p1', async () => ({ doc, destroy: () => ((destroyed = true), doc.off('update', store), doc.destroy()) }), memoryGridCaches())
    await tick()
    expect(load.local?.doc).toBe(doc)

    let finish: () => void = () => undefined
    const importing = keepOpenWhile(doc, new Promise<void>((resolve) => (finish = resolve)))
    load.destroy()
    await tick()
    expect(destroyed).toBe(false)

    // The import's last batch lands after the page closed: it still reaches storage.
    const before = stored.length
    addItem(doc, { name: 'late.png', blob: SHA, mime: 'image/png', width: 10, height: 10 }, by)
    expect(stored.length).toBe(before + 1)
    finish()
    await importing
    await tick()
    expect(destroyed).toBe(true)
  })

  it('closes at once when nothing holds it', async () => {
    const doc = createProject({ name: 'Idle' })
    let destroyed = false
    const load = new ProjectLoad('p1', async () => ({ doc, destroy: () => void (destroyed = true) }), memoryGridCaches())
    await tick()
    load.destroy()
    await tick()
    expect(destroyed).toBe(true)
  })
})
