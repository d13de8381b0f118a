import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { type VersionId, addItem, createProject, createVersion, deleteVersion, newProjectDoc, setTag } from '../../src/domain/index.ts'
import type { FromEngine } from '../../src/engine/protocol.ts'
import { TabSession } from '../../src/engine/tab.ts'
import type { EngineLink } from '../../src/state/engineLink.ts'
import { connectTo, record, settle, syncedLater } from './hosted.ts'
import { connectTab, memoryProject } from './memory.ts'

const alice = { id: 'u-alice', name: 'Alice' }
const bob = { id: 'u-bob', name: 'Bob' }
const image = { name: 'a.png', blob: 'c'.repeat(64), mime: 'image/png', width: 10, height: 10 }

/** Alice's replica and Bob's; `toBob` brings Bob what Alice did, as a sync would. */
const setup = () => {
  const alicesDoc = createProject({ name: 'Roads' })
  const item = addItem(alicesDoc, image, alice)
  const version = createVersion(alicesDoc, { name: 'Reviewed' }, alice)
  const bobsDoc = newProjectDoc()
  const toBob = (): void => Y.applyUpdate(bobsDoc, Y.encodeStateAsUpdate(alicesDoc, Y.encodeStateVector(bobsDoc)))
  toBob()
  return { alicesDoc, bobsDoc, item, version, toBob }
}

/** What the tab's banner and version panel read. */
const viewingOf = (link: EngineLink) => {
  const topic = record(link, 'project', null)
  return () => topic.values.at(-1)?.viewing
}

let close = (): void => undefined
afterEach(() => close())

describe('the version a tab views', () => {
  it('when deleted, brings whoever views it back to latest, saying which and by whom', async () => {
    const s = setup()
    setTag(s.bobsDoc, s.item, 'bobs-outstanding-work', true)
    const tab = connectTab(s.bobsDoc)
    close = tab.close
    const viewing = viewingOf(tab.link)
    const cells = record(tab.link, 'cells', { ids: [s.item] })
    await tab.link.call('show', s.version.id)
    await vi.waitFor(() => expect(viewing()?.shown).toBe(s.version.id))
    await vi.waitFor(() => expect(cells.values.at(-1)?.[0]?.tags).toEqual([]))

    deleteVersion(s.alicesDoc, s.version.id, alice)
    s.toBob()
    await vi.waitFor(() => expect(viewing()?.shown).toBeNull())
    expect(viewing()?.notice).toBe('Version "Reviewed" was deleted by Alice. You are back on Latest; your outstanding work there is untouched.')
    expect(tab.left()).toBe(1)
    await vi.waitFor(() => expect(cells.values.at(-1)?.[0]?.tags).toEqual(['bobs-outstanding-work']))

    // The URL now says latest; following it keeps the notice up until dismissed.
    await tab.link.call('show', null)
    await settle()
    expect(viewing()?.notice).not.toBeNull()
    await tab.link.call('dismiss')
    await vi.waitFor(() => expect(viewing()?.notice).toBeNull())
  })

  it('answers a link or reload to a deleted version by its name, showing latest', async () => {
    const s = setup()
    deleteVersion(s.bobsDoc, s.version.id, bob)
    const tab = connectTab(s.bobsDoc)
    close = tab.close
    const viewing = viewingOf(tab.link)
    await tab.link.call('show', s.version.id)
    await vi.waitFor(() => expect(viewing()?.notice).toBe('Version "Reviewed" was deleted by Bob. Showing Latest.'))
    expect(viewing()?.notice).not.toContain(s.version.id)
    expect(viewing()?.shown).toBeNull()
    expect(tab.left()).toBe(1)
  })

  it('shows latest while a linked version has not arrived, and opens it when the sync brings it', async () => {
    const s = setup()
    setTag(s.alicesDoc, s.item, 'later', true)
    const fresh = createVersion(s.alicesDoc, { name: 'Fresh' }, alice)
    const { project } = syncedLater(memoryProject('p1', s.bobsDoc))
    const tab = connectTo(project)
    close = tab.close
    const viewing = viewingOf(tab.link)
    await tab.link.call('show', fresh.id)
    await vi.waitFor(() => expect(viewing()?.looking).toBe(true))
    expect(viewing()?.shown).toBeNull()
    expect(tab.left()).toBe(0)

    s.toBob()
    await vi.waitFor(() => expect(viewing()?.shown).toBe(fresh.id))
    expect(viewing()).toMatchObject({ looking: false, notice: null, openError: null })
  })

  it('says a linked version is not in the project once this device has synced without it', async () => {
    const s = setup()
    const { project, sync } = syncedLater(memoryProject('p1', s.bobsDoc))
    const tab = connectTo(project)
    close = tab.close
    const viewing = viewingOf(tab.link)
    await tab.link.call('show', '00000000-0000-4000-8000-000000000000' as VersionId)
    await vi.waitFor(() => expect(viewing()?.looking).toBe(true))
    await settle()
    expect([viewing()?.looking, tab.left()]).toEqual([true, 0])

    sync()
    await vi.waitFor(() => expect(viewing()?.looking).toBe(false))
    expect(viewing()).toMatchObject({ shown: null, notice: 'The version this link names is not in this project; it may have been deleted. Showing Latest.' })
    expect(tab.left()).toBe(1)
  })

  it('sends nothing once the tab has left', async () => {
    const s = setup()
    const posted: FromEngine[] = []
    const session = new TabSession({ post: (m) => posted.push(m) }, memoryProject('p1', s.bobsDoc), bob)
    session.viewing.follow(s.version.id, s.bobsDoc, true)
    expect(session.viewing.shown).toBe(s.version.id)
    session.close()
    deleteVersion(s.alicesDoc, s.version.id, alice)
    s.toBob()
    await settle()
    expect(posted.filter((m) => m.t === 'left')).toEqual([])
  })
})
