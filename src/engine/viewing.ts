import type * as Y from 'yjs'
import { type VersionId, describeDeletion, lookUpVersion, openVersion } from '../domain/index.ts'
import type { ProjectTopic } from './protocol.ts'

/**
 * Which version one tab shows, kept valid. It follows the version the tab's URL asks for;
 * when that version is deleted (while shown, or before a link to it is followed) it says so
 * by name and by whom and goes back to Latest (`leave` drops the version from the URL). An id
 * this replica does not know may be a version made elsewhere that has not arrived: Latest is
 * shown while it is looked for, and it opens if the sync brings it; once this replica has
 * synced without it, it is reported as not in the project.
 */
export class Viewing {
  #wanted: VersionId | null = null
  #shown: { id: VersionId; doc: Y.Doc | null; error: string | null } | null = null
  #notice: string | null = null
  #looking = false

  constructor(readonly leave: () => void) {}

  get topic(): ProjectTopic['viewing'] {
    return { shown: this.#shown?.id ?? null, openError: this.#shown?.error ?? null, notice: this.#notice, looking: this.#looking }
  }

  /** The shown version's read-only document (null on latest, or while it cannot open). */
  get view(): Y.Doc | null {
    return this.#shown?.doc ?? null
  }

  /** The version the tab asked for (null: Latest), whether or not it can be shown yet. */
  get wanted(): VersionId | null {
    return this.#wanted
  }

  /** The version shown, null for latest. */
  get shown(): VersionId | null {
    return this.#shown?.id ?? null
  }

  /** Shows the version the URL names (null: Latest); `live` is null while the document loads. */
  follow(versionId: VersionId | null, live: Y.Doc | null, synced: boolean): void {
    if (versionId === this.#wanted) return
    this.#wanted = versionId
    // Going to another version is a new question; going to Latest keeps the last answer shown.
    if (versionId !== null) this.#notice = null
    this.check(live, synced)
  }

  /** Looks again (versions changed, a sync completed, updates arrived); answers whether what is shown changed. */
  check(live: Y.Doc | null, synced: boolean): boolean {
    const before = this.#shown
    this.#decide(live, synced)
    return before !== this.#shown
  }

  #decide(live: Y.Doc | null, synced: boolean): void {
    const wanted = this.#wanted
    if (wanted === null || live === null) {
      this.#looking = false
      this.#shown = null
      return
    }
    const found = lookUpVersion(live, wanted)
    if (found.found === 'version') {
      this.#looking = false
      if (this.#shown?.id === wanted && this.#shown.doc) return
      try {
        this.#shown = { id: wanted, doc: openVersion(live, wanted), error: null }
      } catch (error) {
        // Retried as updates arrive: a version made elsewhere opens once its changes have synced.
        this.#shown = { id: wanted, doc: null, error: error instanceof Error ? error.message : String(error) }
      }
      return
    }
    const wasShown = this.#shown?.id === wanted
    if (found.found === 'deleted') {
      return this.#goLatest(`${describeDeletion(found.deleted)}. ${wasShown ? 'You are back on Latest; your outstanding work there is untouched.' : 'Showing Latest.'}`)
    }
    if (!synced) {
      this.#looking = true
      this.#shown = null
      return
    }
    this.#goLatest('The version this link names is not in this project; it may have been deleted. Showing Latest.')
  }

  /** Hides the notice. */
  dismiss(): void {
    this.#notice = null
  }

  #goLatest(notice: string): void {
    this.#wanted = null
    this.#looking = false
    this.#notice = notice
    this.#shown = null
    this.leave()
  }
}
