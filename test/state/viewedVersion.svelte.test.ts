import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type VersionId, addItem, createProject, createVersion, deleteVersion, newProjectDoc, setTag } from '../../src/domain/index.ts'
import { ProjectState } from '../../src/state/project.svelte.ts'
import { ViewedVersion, syncSignal } from '../../src/state/viewedVersion.svelte.ts'

const alice = { id: 'u-alice', name: 'Alice' }
const bob = { id: 'u-bob', name: 'Bob' }
const image = { name: 'a.png', blob: 'c'.repeat(64), mime: 'image/png', width: 10, height: 10 }

/** A link whose state the test sets, as a connection would. */
const link = (state = 'online') => {
  const listeners = new Set<() => void>()
  return {
    state,
    set(next: string): void {
      this.state = next
      for (const fn of listeners) fn()
    },
    onChange(fn: () => void): () => void {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
  }
}

/** Alice's replica and Bob's, Bob's guarded; `left` counts the times Bob's URL was sent back to latest. */
const setup = (state = 'online') => {
  const alicesDoc = createProject({ name: 'Roads' })
  const item = addItem(alicesDoc, image, alice)
  const version = createVersion(alicesDoc, { name: 'Reviewed' }, alice)
  const bobsDoc = newProjectDoc()
  const toBob = (): void => Y.applyUpdate(bobsDoc, Y.encodeStateAsUpdate(alicesDoc, Y.encodeStateVector(bobsDoc)))
  toBob()
  const project = new ProjectState(bobsDoc)
  const connection = link(state)
  let left = 0
  const viewing = new ViewedVersion(project, syncSignal(connection), () => left++)
  return { alicesDoc, bobsDoc, item, version, toBob, project, connection, viewing, left: () => left }
}

describe('ViewedVersion', () => {
  it('brings whoever views a version back to latest when it is deleted, saying which and by whom', () => {
    const s = setup()
    setTag(s.bobsDoc, s.item, 'bobs-outstanding-work', true)
    s.viewing.follow(s.version.id)
    expect(s.project.versionId).toBe(s.version.id)
    expect(s.project.readOnly).toBe(true)

    deleteVersion(s.alicesDoc, s.version.id, alice)
    s.toBob()
    expect(s.project.versionId).toBeNull()
    expect(s.project.readOnly).toBe(false)
    expect(s.left()).toBe(1)
    expect(s.viewing.notice).toBe('Version "Reviewed" was deleted by Alice. You are back on Latest; your outstanding work there is untouched.')
    expect(s.project.item(s.item)?.tags).toEqual(['bobs-outstanding-work'])
    // The URL now says latest; following it keeps the notice up until dismissed.
    s.viewing.follow(null)
    expect(s.viewing.notice).not.toBeNull()
    s.viewing.dismiss()
    expect(s.viewing.notice).toBeNull()
  })

  it('answers a link or reload to a deleted version by its name, showing latest', () => {
    const s = setup()
    deleteVersion(s.bobsDoc, s.version.id, bob)
    s.viewing.follow(s.version.id)
    expect(s.project.versionId).toBeNull()
    expect(s.left()).toBe(1)
    expect(s.viewing.notice).toBe('Version "Reviewed" was deleted by Bob. Showing Latest.')
    expect(s.viewing.notice).not.toContain(s.version.id)
  })

  it('shows latest while a linked version has not arrived, and opens it when the sync brings it', () => {
    const s = setup('connecting')
    setTag(s.alicesDoc, s.item, 'later', true)
    const fresh = createVersion(s.alicesDoc, { name: 'Fresh' }, alice)
    s.viewing.follow(fresh.id)
    expect(s.viewing.looking).toBe(true)
    expect(s.project.versionId).toBeNull()
    expect(s.left()).toBe(0)
    s.toBob()
    expect(s.viewing.looking).toBe(false)
    expect(s.project.versionId).toBe(fresh.id)
    expect(s.viewing.notice).toBeNull()
  })

  it('says a linked version is not in the project once this device has synced without it', () => {
    const s = setup('connecting')
    const unknown = '00000000-0000-4000-8000-000000000000' as VersionId
    s.viewing.follow(unknown)
    expect(s.viewing.looking).toBe(true)
    s.connection.set('syncing')
    expect(s.viewing.looking).toBe(true)
    s.connection.set('online')
    expect(s.viewing.looking).toBe(false)
    expect(s.project.versionId).toBeNull()
    expect(s.left()).toBe(1)
    expect(s.viewing.notice).toBe('The version this link names is not in this project; it may have been deleted. Showing Latest.')
  })

  it('stops listening when destroyed', () => {
    const s = setup()
    s.viewing.follow(s.version.id)
    s.viewing.destroy()
    deleteVersion(s.alicesDoc, s.version.id, alice)
    s.toBob()
    expect(s.left()).toBe(0)
  })
})
