import { createSubscriber } from 'svelte/reactivity'
import type { Awareness } from 'y-protocols/awareness'

/** One person with the project open, and what they are looking at. */
export interface Person {
  clientId: number
  name: string
  viewing: string
  self: boolean
}

const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value.trim() ? value : fallback)

/** Who is here, from y-websocket awareness; what we publish about ourselves goes through `publish`. */
export class Presence {
  #subscribe: () => void

  constructor(readonly awareness: Awareness) {
    this.#subscribe = createSubscriber((update) => {
      awareness.on('change', update)
      return () => awareness.off('change', update)
    })
  }

  /** Tells the others our name and which version we view. */
  publish(name: string, viewing: string): void {
    this.awareness.setLocalStateField('user', { name, viewing })
  }

  get people(): Person[] {
    this.#subscribe()
    const out: Person[] = []
    this.awareness.getStates().forEach((state, clientId) => {
      const user: unknown = state.user
      if (!user || typeof user !== 'object') return
      const u = user as Record<string, unknown>
      out.push({ clientId, name: text(u.name, 'Someone'), viewing: text(u.viewing, 'Latest'), self: clientId === this.awareness.clientID })
    })
    return out.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name))
  }
}
