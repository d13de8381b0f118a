import { describe, expect, it } from 'vitest'
import { createProject } from '../../src/domain/index.ts'
import { EngineHost } from '../../src/engine/host.ts'
import { ENGINE_MISMATCH, ENGINE_PROTOCOL, type FromEngine } from '../../src/engine/protocol.ts'
import { EngineLink, type EnginePort } from '../../src/state/engineLink.ts'
import { memoryProject } from './memory.ts'

const received = (port: MessagePort): Promise<FromEngine> => new Promise((resolve) => (port.onmessage = (event) => resolve(event.data as FromEngine)))

describe('the engine protocol between builds', () => {
  it('an engine answers a tab of another build that they disagree, and opens nothing for it', async () => {
    let opened = 0
    const host = new EngineHost((id) => (opened++, memoryProject(id, createProject({ name: 'x' }))))
    const channel = new MessageChannel()
    host.connect(channel.port1 as unknown as Parameters<EngineHost['connect']>[0])
    const answer = received(channel.port2)
    channel.port2.postMessage({ v: ENGINE_PROTOCOL + 1, t: 'hello', projectId: 'p1', token: 't', actor: { id: 'a', name: 'A' }, online: true, lock: null })
    expect(await answer).toEqual({ v: ENGINE_PROTOCOL, t: 'mismatch', message: ENGINE_MISMATCH })
    expect(opened).toBe(0)
    channel.port1.close()
  })

  it('a tab told by an engine of another build says so, and its calls fail with that reason', async () => {
    const channel = new MessageChannel()
    let told: string | null = null
    const link = new EngineLink(channel.port2 as unknown as EnginePort, { projectId: 'p1', token: 't', actor: { id: 'a', name: 'A' }, online: true, lock: null }, () => undefined, (m) => (told = m))
    const hello = received(channel.port1)
    expect(await hello).toMatchObject({ v: ENGINE_PROTOCOL, t: 'hello', projectId: 'p1' })
    const pending = link.call('undo')
    channel.port1.postMessage({ v: ENGINE_PROTOCOL + 1, t: 'topic', key: 'project:1', value: {} })
    await expect(pending).rejects.toMatchObject({ name: 'MismatchError', message: ENGINE_MISMATCH })
    expect(told).toBe(ENGINE_MISMATCH)
    await expect(link.call('redo')).rejects.toMatchObject({ name: 'MismatchError' })
    channel.port1.close()
  })
})

describe('tabs of one browser sharing the engine', () => {
  it('share one project per token, and a tab with another token gets a project of its own', async () => {
    const opened: string[] = []
    const host = new EngineHost((id, token) => (opened.push(`${id} ${token}`), memoryProject(id, createProject({ name: 'x' }))))
    const hello = (token: string): MessageChannel => {
      const channel = new MessageChannel()
      host.connect(channel.port1 as unknown as Parameters<EngineHost['connect']>[0])
      channel.port2.postMessage({ v: ENGINE_PROTOCOL, t: 'hello', projectId: 'p1', token, actor: { id: 'a', name: 'A' }, online: true, lock: null })
      return channel
    }
    const tabs = [hello('editor-token'), hello('editor-token'), hello('viewer-token')]
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(opened).toEqual(['p1 editor-token', 'p1 viewer-token'])
    for (const t of tabs) t.port1.close()
  })
})
