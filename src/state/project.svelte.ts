import * as Y from 'yjs'
import {
  type ClassId,
  type ItemId,
  type ItemJson,
  type ItemRecord,
  type RunId,
  type RunRecord,
  type Version,
  type VersionId,
  LOCAL,
  listItems,
  listVersions,
  maps,
  pendingChanges,
  openVersion,
  readItem,
  sourceOf,
  versionsNamed,
} from '../domain/index.ts'
import { ItemWatch } from './itemWatch.svelte.ts'
import { ChangesSince, type Later } from './changesSince.svelte.ts'
import { metaOf, recordsOf } from './records.ts'
import { observing, observingDoc } from './observe.ts'

export type ListedItem = { id: ItemId } & ItemRecord
export type ClassOption = { id: ClassId; name: string; color: string }
export type RunOption = { id: RunId } & RunRecord

type Opened = { doc: Y.Doc; error: null } | { doc: null; error: string }

/** Old versions whose item list is kept: switching between a few costs no relisting. */
const LISTS_KEPT = 2

/**
 * One open project: the live document, and the document the user is looking at (the live
 * one, or a read-only view of an old version). Every getter subscribes to the smallest Y
 * type it reads, and to nothing when an old version is shown (it never changes).
 */
export class ProjectState {
  readonly watch: ItemWatch
  readonly undo: Y.UndoManager
  #versionId = $state.raw<VersionId | null>(null)
  #items: () => void
  #classes: () => void
  #runs: () => void
  #meta: () => void
  #versions: () => void
  #any: () => void
  #changes: ChangesSince
  #lists = new Map<VersionId, ListedItem[]>()

  /** `later` schedules the count of changes since a viewed version (tests pass their own). */
  constructor(
    readonly live: Y.Doc,
    later?: Later,
  ) {
    const m = maps(live)
    this.watch = new ItemWatch(live)
    this.#items = observing(m.items as Y.AbstractType<unknown>)
    this.#classes = observing(m.classes as Y.AbstractType<unknown>)
    this.#runs = observing(m.runs as Y.AbstractType<unknown>)
    this.#meta = observing(m.meta as Y.AbstractType<unknown>)
    this.#versions = observing(m.versions as Y.AbstractType<unknown>)
    this.#any = observingDoc(live)
    this.#changes = new ChangesSince(live, later)
    this.undo = new Y.UndoManager([m.items, m.labels, m.tags, m.classes], { trackedOrigins: new Set([LOCAL]), captureTimeout: 0 })
  }

  #opened: Opened = $derived.by(() => {
    const id = this.#versionId
    if (id === null) return { doc: this.live, error: null }
    try {
      return { doc: openVersion(this.live, id), error: null }
    } catch (error) {
      // Retry as updates arrive: a version made elsewhere opens once its changes have synced.
      this.#any()
      this.#versions()
      return { doc: null, error: error instanceof Error ? error.message : String(error) }
    }
  })

  /** The version being viewed, or null for latest. */
  get versionId(): VersionId | null {
    return this.#versionId
  }

  /** True when an old version is shown: no edit control may appear. */
  get readOnly(): boolean {
    return this.#versionId !== null
  }

  /** The document to read from: latest, or the opened version (null while it cannot open). */
  get doc(): Y.Doc | null {
    return this.#opened.doc
  }

  /** Why the chosen version cannot be shown, if it cannot. */
  get openError(): string | null {
    return this.#opened.error
  }

  /** Shows an old version (read-only) or, with null, latest. */
  view(versionId: VersionId | null): void {
    this.#versionId = versionId
  }

  #isLive(doc: Y.Doc): boolean {
    return doc === this.live
  }

  get name(): string {
    const doc = this.doc ?? this.live
    if (this.#isLive(doc)) this.#meta()
    return String(metaOf(doc, 'name') ?? '')
  }

  // Derived once per change of the items map: the grid, the count and the filters share it.
  #listed: ListedItem[] = $derived.by(() => {
    const doc = this.doc
    if (!doc) return []
    if (this.#isLive(doc)) {
      this.#items()
      return listItems(doc)
    }
    return this.#versionList(doc)
  })

  // An old version never changes: its list is made once and kept for the last few shown.
  #versionList(view: Y.Doc): ListedItem[] {
    const id = sourceOf(view).versionId
    if (id === null) return listItems(view)
    const list = this.#lists.get(id) ?? listItems(view)
    this.#lists.delete(id)
    this.#lists.set(id, list)
    const oldest = this.#lists.keys().next().value
    if (this.#lists.size > LISTS_KEPT && oldest !== undefined) this.#lists.delete(oldest)
    return list
  }

  /** Item records in display order, without labels. */
  get items(): ListedItem[] {
    return this.#listed
  }

  /** One item with its labels and tags; re-runs the reader only when that item changes. */
  item(itemId: ItemId): ItemJson | null {
    const doc = this.doc
    if (!doc) return null
    if (this.#isLive(doc)) this.watch.track(itemId)
    return readItem(doc, itemId)
  }

  get classes(): ClassOption[] {
    const doc = this.doc
    if (!doc) return []
    if (this.#isLive(doc)) this.#classes()
    return recordsOf(doc, 'classes')
      .map(([id, c]) => ({ id: id as ClassId, name: c.name, color: c.color }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  get runs(): RunOption[] {
    const doc = this.doc
    if (!doc) return []
    if (this.#isLive(doc)) this.#runs()
    return recordsOf(doc, 'runs')
      .map(([id, r]) => ({ id: id as RunId, ...r }))
      .sort((a, b) => a.createdAt - b.createdAt)
  }

  /** Every version record, oldest first. */
  get versions(): Version[] {
    this.#versions()
    return listVersions(this.live)
  }

  /** Versions already called `name` (trimmed): another may share it, but whoever names one should know. */
  versionsNamed(name: string): Version[] {
    this.#versions()
    return versionsNamed(this.live, name)
  }

  /** Outstanding changes on latest since the last checkpoint. */
  get pending(): ReturnType<typeof pendingChanges> {
    this.#any()
    return pendingChanges(this.live)
  }

  /**
   * How many records latest has changed since the version being viewed (0 on latest), or
   * null while it is being counted: counted after the grid painted, once per version and
   * state of latest.
   */
  get changesSinceViewed(): number | null {
    const id = this.#versionId
    const at = this.#opened.doc ? sourceOf(this.#opened.doc).at : null
    if (id === null || at === null) return 0
    return this.#changes.of(id, at)
  }
}
