import { type VersionId, describeDeletion, lookUpVersion, maps } from '../domain/index.ts'
import type { ProjectState } from './project.svelte.ts'

/** Whether this device has completed a sync with the server since the project opened. */
export interface SyncSignal {
  synced(): boolean
  /** Calls `fn` when the link's state changes; answers the unsubscribe. */
  onChange(fn: () => void): () => void
}

/**
 * Which version is shown, kept valid. It follows the version the URL asks for; when that
 * version is deleted (while someone views it, or before a link to it is followed) it says so
 * by name and by whom and goes back to Latest through `leave` (which drops the version from
 * the URL). An id this device does not know may be a version made elsewhere that has not
 * arrived yet: Latest is shown while it is looked for, and it opens if the sync brings it;
 * once this device has synced without it, it is reported as not in the project.
 */
export class ViewedVersion {
  #wanted: VersionId | null = null
  #notice = $state.raw<string | null>(null)
  #looking = $state.raw(false)
  #offs: Array<() => void>

  constructor(
    readonly project: ProjectState,
    readonly sync: SyncSignal,
    readonly leave: () => void,
  ) {
    const m = maps(project.live)
    const changed = (): void => this.#check()
    m.versions.observe(changed)
    m.deletedVersions.observe(changed)
    this.#offs = [
      () => m.versions.unobserve(changed),
      () => m.deletedVersions.unobserve(changed),
      sync.onChange(() => this.#looking && this.#check()),
    ]
  }

  /** What happened to the version last asked for, when it could not be shown; null otherwise. */
  get notice(): string | null {
    return this.#notice
  }

  /** True while the asked-for version is unknown here and this device has not synced yet. */
  get looking(): boolean {
    return this.#looking
  }

  /** Shows the version the URL names (null: Latest). */
  follow(versionId: VersionId | null): void {
    if (versionId === this.#wanted) return
    this.#wanted = versionId
    // Going to another version is a new question; going to Latest keeps the last answer shown.
    if (versionId !== null) this.#notice = null
    this.#check()
  }

  /** Hides the notice. */
  dismiss(): void {
    this.#notice = null
  }

  destroy(): void {
    for (const off of this.#offs) off()
  }

  #check(): void {
    const wanted = this.#wanted
    if (wanted === null) {
      this.#looking = false
      return this.project.view(null)
    }
    const found = lookUpVersion(this.project.live, wanted)
    if (found.found === 'version') {
      this.#looking = false
      return this.project.view(wanted)
    }
    const wasShown = this.project.versionId === wanted
    if (found.found === 'deleted') {
      return this.#goLatest(`${describeDeletion(found.deleted)}. ${wasShown ? 'You are back on Latest; your outstanding work there is untouched.' : 'Showing Latest.'}`)
    }
    if (!this.sync.synced()) {
      this.#looking = true
      return this.project.view(null)
    }
    this.#goLatest('The version this link names is not in this project; it may have been deleted. Showing Latest.')
  }

  #goLatest(notice: string): void {
    this.#wanted = null
    this.#looking = false
    this.#notice = notice
    this.project.view(null)
    this.leave()
  }
}

/** The sync signal of a connection: synced from the first time its state is `online` (a sync completed). */
export const syncSignal = (link: { readonly state: string; onChange(fn: () => void): () => void }): SyncSignal => {
  let once = false
  return {
    synced: () => (once ||= link.state === 'online'),
    onChange: (fn) => link.onChange(fn),
  }
}
