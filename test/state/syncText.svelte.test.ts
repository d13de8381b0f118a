import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Awareness } from 'y-protocols/awareness'
import { createProject } from '../../src/domain/index.ts'
import { EngineHost } from '../../src/engine/host.ts'
import type { Changed, OpenedProject } from '../../src/engine/opened.ts'
import type { ProjectTopic } from '../../src/engine/protocol.ts'
import type { EnginePort } from '../../src/state/engineLink.ts'
import { OpenProject } from '../../src/state/openProject.svelte.ts'
import { SaveHealth } from '../../src/sync/saveHealth.ts'
import { memoryProject } from '../engine/memory.ts'
import { fakeEngine, stubPage } from './page.ts'

const ada = { id: 'u-ada', name: 'Ada' }

beforeEach(stubPage)
afterEach(() => vi.unstubAllGlobals())

const linkSays = (engine: ReturnType<typeof fakeEngine>, link: Partial<ProjectTopic['link']>): void =>
  engine.say('project', { link: { state: 'online', reason: '', unsyncedChanges: 0, unsyncedBlobs: 0, saveError: null, ...link }, phase: 'ready', viewing: { shown: null }, images: { running: false } })

describe('the sync line', () => {
  it('starts with the link state, then says what is not on the server, in the singular where it is one', () => {
    const engine = fakeEngine()
    const project = new OpenProject('p1', 't', ada, engine.port, () => undefined)
    expect(project.syncText).toBe('Connecting')
    linkSays(engine, { state: 'online' })
    expect(project.syncText).toBe('Online')
    linkSays(engine, { state: 'offline', unsyncedChanges: 1 })
    expect(project.syncText).toBe('Offline · 1 change not on server')
    linkSays(engine, { state: 'syncing', unsyncedChanges: 2, unsyncedBlobs: 1 })
    expect(project.syncText).toBe('Syncing · 2 changes and 1 file not on server')
    linkSays(engine, { state: 'offline', unsyncedBlobs: 3 })
    expect(project.syncText).toBe('Offline · 3 files not on server')
    linkSays(engine, { state: 'denied', reason: 'this link’s access was revoked; ask the owner for a new one', unsyncedChanges: 4 })
    expect(project.syncText).toBe('Offline · this link’s access was revoked; ask the owner for a new one · 4 changes not on server')
    project.close()
  })

  it('says when changes are not saved on this device, and stops saying so once a save works again', async () => {
    const doc = createProject({ name: 'Roads' })
    const saving = new SaveHealth()
    const listeners = new Set<Changed>()
    saving.onChange(() => listeners.forEach((fn) => fn(new Set())))
    const opened: OpenedProject = {
      ...memoryProject('p1', doc),
      connection: { state: 'offline', reason: '', unsynced: 2, awareness: new Awareness(doc) },
      get saveError() { return saving.error },
      onChange: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
    }
    const host = new EngineHost(() => opened)
    const channel = new MessageChannel()
    host.connect(channel.port1 as unknown as Parameters<EngineHost['connect']>[0])
    const project = new OpenProject('p1', 't', ada, channel.port2 as unknown as EnginePort, () => undefined)
    try {
      await vi.waitFor(() => expect(project.syncText).toBe('Offline · 2 changes not on server'))

      saving.failed(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
      await vi.waitFor(() => expect(project.syncText).toBe('Offline · 2 changes not on server · changes not saved on this device: this device is out of storage space'))
      expect(project.topic.link.saveError).toBe('this device is out of storage space')

      saving.saved()
      await vi.waitFor(() => expect(project.syncText).toBe('Offline · 2 changes not on server'))
    } finally {
      project.close()
      channel.port1.close()
      channel.port2.close()
    }
  })
})
