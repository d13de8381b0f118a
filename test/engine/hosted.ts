import type { Actor } from '../../src/domain/index.ts'
import { EngineHost } from '../../src/engine/host.ts'
import type { Changed, OpenedProject } from '../../src/engine/opened.ts'
import type { TopicName, Topics } from '../../src/engine/protocol.ts'
import { EngineLink } from '../../src/state/engineLink.ts'
import type { EnginePort } from '../../src/state/engineLink.ts'

/**
 * A tab linked over a real MessageChannel to a host serving `project` (any `OpenedProject`:
 * one still loading, one that has not synced yet), unlike `connectTab`, which always serves
 * a loaded, synced document.
 */
export const connectTo = (project: OpenedProject, actor: Actor = { id: 'u-bob', name: 'Bob' }): { link: EngineLink; left: () => number; close: () => void } => {
  const host = new EngineHost(() => project)
  const channel = new MessageChannel()
  host.connect(channel.port1 as unknown as Parameters<EngineHost['connect']>[0])
  let left = 0
  const link = new EngineLink(channel.port2 as unknown as EnginePort, { projectId: project.projectId, token: 't', actor, online: true, lock: null }, () => left++, () => undefined)
  return {
    link,
    left: () => left,
    close: () => {
      link.close()
      channel.port1.close()
      channel.port2.close()
    },
  }
}

/** `project` with its sync state set by the test: `sync()` tells its tabs a sync completed. */
export const syncedLater = (project: OpenedProject): { project: OpenedProject; sync: () => void } => {
  let synced = false
  const listeners = new Set<Changed>()
  const wrapped: OpenedProject = {
    ...project,
    get everSynced() { return synced },
    onChange: (fn) => {
      const off = project.onChange(fn)
      listeners.add(fn)
      return () => (off(), listeners.delete(fn))
    },
  }
  const sync = (): void => {
    synced = true
    for (const fn of listeners) fn(new Set())
  }
  return { project: wrapped, sync }
}

/** Every value a topic sends, as they arrive. */
export const record = <T extends TopicName>(link: EngineLink, topic: T, spec: Topics[T]['spec']): { values: Array<Topics[T]['value']>; stop: () => void } => {
  const values: Array<Topics[T]['value']> = []
  const stop = link.watch(topic, spec, (v) => values.push(v))
  return { values, stop }
}

/** Long enough for the engine to send what a change made due (it waits 16 ms to batch a burst). */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 80))

