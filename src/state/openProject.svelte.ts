import type { Actor, ItemId, Version, VersionId } from '../domain/index.ts'
import type { ClassOption, MeasuredInfo, ProjectTopic, QualityTopic, RunOption, TopicName, Topics } from '../engine/protocol.ts'
import { type ProjectSummary, type Role, listProjects } from '../sync/api.ts'
import { type GridCache, indexedDbGridCaches } from '../sync/gridCache.ts'
import { readEarlyEdits } from '../sync/earlyEdits.ts'
import { cachedCells } from '../engine/cachedCells.ts'
import { EngineLink, type EnginePort, startEngine } from './engineLink.ts'
import type { Session } from './session.svelte.ts'
import { ItemFilters } from './filters.svelte.ts'
import { ImageUrls } from './images.ts'

export type { Cell, ClassOption, RunOption, Person, Prediction, ProjectTopic, LinkState, MeasuredInfo, QualityTopic, PendingTopic, QualityJob, ChangedOutcome } from '../engine/protocol.ts'
export type { ComparePage, CompareTopic } from '../engine/compareTypes.ts'

const EMPTY: ProjectTopic = {
  phase: 'opening', percent: 0, error: null, name: '', total: 0, classes: [], runs: [], versions: [],
  link: { state: 'connecting', reason: '', unsyncedChanges: 0, unsyncedBlobs: 0, saveError: null },
  people: [], viewing: { shown: null, openError: null, notice: null, looking: false },
  predictions: { runId: '', threshold: 0.5, loading: false, error: null },
  images: { done: 0, total: 0, added: 0, failed: [], running: false }, earlyProblems: [],
}

const HEADS = { online: 'Online', offline: 'Offline', syncing: 'Syncing', connecting: 'Connecting', denied: 'Offline' } as const

/** Makes the browser ask before the tab closes. */
const askFirst = (event: BeforeUnloadEvent): void => event.preventDefault()

/**
 * One open project in this tab: the owner of its line to the engine (which holds the
 * document, its storage, the connection, the files and the workers), of its image URLs and
 * of what the server says of it (role, name). The UI reads plain data from it and sends it
 * commands; what is edited is what is shown, so on an old version the domain refuses.
 */
export class OpenProject {
  readonly engine: EngineLink
  readonly filters: ItemFilters
  readonly images: ImageUrls
  #topic = $state.raw<ProjectTopic>(EMPTY)
  #ids = $state.raw<ItemId[]>([])
  #allTags = $state.raw<string[]>([])
  #listed = $state.raw(false)
  // Latest's grid cache as this device keeps it, read by the tab itself so that the grid paints
  // before the engine worker has started and answered; the engine's first answer takes over.
  #cache = $state.raw<GridCache | null>(null)
  #cachedIds = $derived(this.#cache?.items.map((i) => i.id as ItemId) ?? [])
  #cellsAnswered = false
  #role = $state.raw<Role>('viewer')
  #serverName = $state.raw('')
  #mismatch = $state.raw<string | null>(null)
  #quality = $state.raw<QualityTopic>({ results: [], progress: null, error: null, marking: 0 })
  #stop: () => void

  constructor(
    readonly projectId: string,
    token: string,
    actor: Actor,
    port: EnginePort,
    leave: () => void,
    cache: Promise<GridCache | null> | null = null,
  ) {
    void cache?.then((c) => (this.#cache = c), () => undefined)
    const lock = typeof navigator !== 'undefined' && navigator.locks ? `strata:tab:${crypto.randomUUID()}` : null
    if (lock) void navigator.locks.request(lock, () => new Promise<void>((resolve) => (this.#releaseLock = resolve)))
    this.engine = new EngineLink(port, { projectId, token, actor, online: navigator.onLine, lock }, leave, (m) => (this.#mismatch = m))
    this.images = new ImageUrls((sha, mime) => this.engine.call('blob', sha, mime))
    this.filters = new ItemFilters()
    const offs = [this.engine.watch('project', null, (v) => (this.#topic = v)), this.engine.watch('quality', null, (v) => (this.#quality = v))]
    const network = (): void => void this.engine.call('network', navigator.onLine)
    addEventListener('online', network)
    addEventListener('offline', network)
    offs.push(() => removeEventListener('online', network), () => removeEventListener('offline', network))
    offs.push($effect.root(() => {
      $effect(() => {
        const query = this.filters.query
        return this.engine.watch('list', query, (v) => {
          this.#ids = v.ids === '' ? [] : (v.ids.split('\n') as ItemId[])
          this.#allTags = v.allTags
          this.#listed = true
        })
      })
      // While images are being added, closing the tab asks first: files read but not yet added would be lost.
      $effect(() => {
        if (!this.#topic.images.running) return
        addEventListener('beforeunload', askFirst)
        return () => removeEventListener('beforeunload', askFirst)
      })
    }))
    this.#stop = () => offs.forEach((off) => off())
    this.#askServer(token)
  }

  #releaseLock: () => void = () => undefined

  /** Role and the name the server knows the project by; the last answer is kept for offline starts. */
  #askServer(token: string): void {
    const key = `strata:project:${this.projectId}`
    const known = (list: ProjectSummary[]): void => {
      const mine = list.find((p) => p.id === this.projectId)
      if (mine) [this.#role, this.#serverName] = [mine.role, mine.name]
    }
    known(JSON.parse(localStorage.getItem(key) ?? '[]') as ProjectSummary[])
    listProjects(token)
      .then((list) => {
        known(list)
        localStorage.setItem(key, JSON.stringify(list.filter((p) => p.id === this.projectId)))
      })
      .catch(() => undefined)
  }

  /** Everything the engine says of the project: phase, names, versions, link, people… */
  get topic(): ProjectTopic { return this.#topic }
  get ready(): boolean { return this.#topic.phase === 'ready' }
  get role(): Role { return this.#role }
  /** This tab's Quality measurements, kept while the user goes to the grid and the item view. */
  get quality(): QualityTopic { return this.#quality }
  /** The measurement the item view marks boxes with, if any. */
  get marked(): MeasuredInfo | null { return this.#quality.results[this.#quality.marking] ?? null }
  get serverName(): string { return this.#serverName }
  /** Why this tab cannot work with the engine (a different build), if it cannot. */
  get mismatch(): string | null { return this.#mismatch }
  get name(): string { return this.#topic.name || this.#serverName }
  get versionId(): VersionId | null { return this.#topic.viewing.shown }
  /** True when an old version is shown: no edit control may appear. */
  get readOnly(): boolean { return this.#topic.viewing.shown !== null }
  get versions(): Version[] { return this.#topic.versions }
  get classes(): ClassOption[] { return this.#topic.classes }
  get runs(): RunOption[] { return this.#topic.runs }
  /** The ids that pass the filters, in display order (latest's cached first screen until the engine's list). */
  get visible(): ItemId[] { return this.#listed || this.filters.active ? this.#ids : this.#cachedIds }
  /** True once the first list for the current filters arrived. */
  get listed(): boolean { return this.#listed }
  get allTags(): string[] { return this.#allTags }
  /** True when edit controls may be shown: latest is loaded and shown, and the token may write. */
  get canEdit(): boolean { return this.#role !== 'viewer' && !this.readOnly && this.ready && this.#mismatch === null }
  /** True when items may be tagged and labelled: from the first paint of latest (edits made on the cached grid apply when the document is in). */
  get canEditItems(): boolean { return this.canEdit || (this.#role !== 'viewer' && !this.readOnly && this.#topic.phase === 'cached' && this.#mismatch === null) }

  /** Versions already called `name` (trimmed): another may share it, but whoever names one should know. */
  versionsNamed(name: string): Version[] {
    const wanted = name.trim()
    return wanted === '' ? [] : this.#topic.versions.filter((v) => v.name === wanted)
  }

  /** One line: starts with Online, Offline, Syncing or Connecting, then what is not on the server. */
  get syncText(): string {
    const { state, reason, unsyncedChanges: changes, unsyncedBlobs: blobs, saveError } = this.#topic.link
    const parts: string[] = []
    if (changes) parts.push(`${changes} ${changes === 1 ? 'change' : 'changes'}`)
    if (blobs) parts.push(`${blobs} ${blobs === 1 ? 'file' : 'files'}`)
    const tail = (parts.length ? ` · ${parts.join(' and ')} not on server` : '') + (saveError ? ` · changes not saved on this device: ${saveError}` : '')
    return state === 'denied' ? `${HEADS[state]} · ${reason}${tail}` : `${HEADS[state]}${tail}`
  }

  /** Watches a topic while the caller lives (an `$effect` returns the unwatch). */
  watch<T extends TopicName>(topic: T, spec: Topics[T]['spec'], onValue: (value: Topics[T]['value']) => void): () => void {
    if (topic !== 'cells') return this.engine.watch(topic, spec, onValue)
    let live = true
    const unwatch = this.engine.watch(topic, spec, (value) => {
      this.#cellsAnswered = true
      onValue(value)
    })
    // Until the engine's first cells, the tab's own read of the cache paints them.
    const early = this.#cellsAnswered ? [] : cachedCells(this.#cache, (spec as Topics['cells']['spec']).ids)
    if (early.length > 0) queueMicrotask(() => live && !this.#cellsAnswered && onValue(early as Topics[T]['value']))
    return () => {
      live = false
      unwatch()
    }
  }

  close(): void {
    this.#stop()
    this.engine.close()
    this.images.close()
    this.#releaseLock()
  }
}

/** Opens a project in this tab: the engine worker (shared or this tab's), the URL kept in step. */
export const openProject = (session: Session, projectId: string): OpenProject =>
  new OpenProject(projectId, session.tokenFor(projectId), session.actor, startEngine(), () => session.go({ projectId: session.place.projectId, versionId: null }, false),
    // An old version is never painted from latest's cache.
    session.place.versionId === null ? cacheToPaint(projectId) : null)

// Latest's grid cache, unless edits made on it wait in storage: the engine shows those over it,
// and a paint without them would show the cells without the person's edits for a moment.
const cacheToPaint = async (projectId: string): Promise<GridCache | null> => {
  const [cache, early] = await Promise.all([indexedDbGridCaches().read(projectId), readEarlyEdits(projectId)]).catch(() => [null, [1]] as const)
  return early.length === 0 ? cache : null
}
