import { handlers } from './calls.ts'
import type { OpenedProject } from './opened.ts'
import { ProjectEngine } from './project.ts'
import { ENGINE_MISMATCH, ENGINE_PROTOCOL, type FromEngine, type ToEngine } from './protocol.ts'
import { TabSession } from './tab.ts'

/** A line to one tab: a MessagePort, or a dedicated worker's own scope. */
export interface Line {
  postMessage(message: FromEngine): void
  onmessage: ((event: MessageEvent) => void) | null
}

/** A project stays open this long after its last tab left, so a reload finds it loaded. */
const LINGER_MS = 1_500

/** Opens a project for the host: the app's `ProjectEngine`, or one in memory in tests. */
export type OpenProjectEngine = (projectId: string, token: string, online: boolean, mark: (name: string) => void, compact: (name: string) => Promise<void>) => OpenedProject

const openStored: OpenProjectEngine = (projectId, token, online, mark, compact) => new ProjectEngine(projectId, token, online, mark, compact)

interface Open { key: string; engine: OpenedProject; tabs: Map<TabSession, Line>; closing: ReturnType<typeof setTimeout> | undefined }

const errorOf = (e: unknown): { name: string; message: string } =>
  e instanceof Error ? { name: e.name === 'Error' ? e.constructor.name : e.name, message: e.message } : { name: 'Error', message: String(e) }

/**
 * The engine's front door: every tab that connects says hello (its build's protocol, the
 * project, its token and who is acting) and gets a session on that project's engine, shared
 * with the other tabs showing it. A tab that leaves (its `bye`, or its lock released when it
 * closed or crashed) ends its session; the project closes a little after its last tab left.
 */
export class EngineHost {
  #open = new Map<string, Open>()
  #compactions = new Map<number, { line: Line; resolve: () => void; reject: (error: Error) => void }>()
  #nextCompaction = 0

  constructor(readonly open: OpenProjectEngine = openStored) {}

  connect(line: Line): void {
    let tab: TabSession | null = null
    let project: Open | null = null
    const leave = (): void => {
      if (!tab || !project) return
      const [t, p] = [tab, project]
      tab = project = null
      t.close()
      p.tabs.delete(t)
      // A compaction this tab was running ends with it: the next writes ask again.
      for (const [id, c] of this.#compactions) if (c.line === line) this.#compacted(id, false, 'The tab compacting the stored project closed')
      if (p.tabs.size === 0) p.closing = setTimeout(() => this.#close(p), LINGER_MS)
    }
    line.onmessage = (event: MessageEvent) => {
      const m = event.data as ToEngine
      if (m?.v !== ENGINE_PROTOCOL) return line.postMessage({ v: ENGINE_PROTOCOL, t: 'mismatch', message: ENGINE_MISMATCH })
      if (m.t === 'hello') {
        if (tab) return
        project = this.#project(m.projectId, m.token, m.online)
        clearTimeout(project.closing)
        tab = new TabSession({ post: (message) => line.postMessage(message) }, project.engine, m.actor)
        project.tabs.set(tab, line)
        if (m.lock && typeof navigator !== 'undefined' && navigator.locks) void navigator.locks.request(m.lock, () => leave())
        return
      }
      if (m.t === 'bye') return leave()
      if (m.t === 'compacted') return this.#compacted(m.id, m.ok, m.error)
      if (!tab) return
      if (m.t === 'watch') return tab.watch(m.key, m.topic, m.spec)
      if (m.t === 'unwatch') return tab.unwatch(m.key)
      if (m.t === 'call') void this.#call(tab, line, m.id, m.method, m.args)
    }
  }

  async #call(tab: TabSession, line: Line, id: number, method: keyof typeof handlers, args: unknown[]): Promise<void> {
    const handler = handlers[method] as ((tab: TabSession, args: unknown[], progress: (text: string) => void) => unknown) | undefined
    const progress = (text: string): void => line.postMessage({ v: ENGINE_PROTOCOL, t: 'progress', id, text })
    try {
      if (!handler) throw new Error(`The engine has no command "${String(method)}"`)
      const value = await handler(tab, args, progress)
      line.postMessage({ v: ENGINE_PROTOCOL, t: 'reply', id, ok: true, value: value ?? null })
    } catch (e) {
      line.postMessage({ v: ENGINE_PROTOCOL, t: 'reply', id, ok: false, error: errorOf(e) })
    }
  }

  /**
   * The open project for this project and token: tabs holding another token for the same
   * project (an invite opened later, a viewer's link) get an engine of their own, so no tab
   * ever writes through a connection its own token would not have opened.
   */
  #project(projectId: string, token: string, online: boolean): Open {
    const key = `${projectId}\n${token}`
    let open = this.#open.get(key)
    // One that failed to open (storage refused, say) is not kept for the next tab: it tries again.
    if (open?.engine.phase === 'failed') {
      this.#open.delete(key)
      void open.engine.close()
      open = undefined
    }
    if (!open) {
      const engine = this.open(projectId, token, online, (name) => {
        for (const t of this.#open.get(key)?.tabs.keys() ?? []) t.port.post({ v: ENGINE_PROTOCOL, t: 'mark', name })
      }, (name) => this.#compact(key, name))
      this.#open.set(key, (open = { key, engine, tabs: new Map(), closing: undefined }))
    }
    return open
  }

  /** Asks one of the project's tabs to compact its stored log in a worker of its own. */
  #compact(key: string, name: string): Promise<void> {
    const line = this.#open.get(key)?.tabs.values().next().value
    if (!line) return Promise.reject(new Error('No tab is open to compact the stored project'))
    const id = ++this.#nextCompaction
    return new Promise((resolve, reject) => {
      this.#compactions.set(id, { line, resolve, reject })
      line.postMessage({ v: ENGINE_PROTOCOL, t: 'compact', id, name })
    })
  }

  #compacted(id: number, ok: boolean, error: string | null): void {
    const waiting = this.#compactions.get(id)
    this.#compactions.delete(id)
    if (ok) waiting?.resolve()
    else waiting?.reject(new Error(error ?? 'The compaction failed'))
  }

  #close(open: Open): void {
    if (open.tabs.size > 0) return
    this.#open.delete(open.key)
    void open.engine.close()
  }
}
