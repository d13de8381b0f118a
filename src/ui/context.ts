import { getContext, setContext } from 'svelte'
import type { Session } from '../state/session.svelte.ts'
import type { ProjectState } from '../state/project.svelte.ts'
import type { ItemFilters } from '../state/filters.svelte.ts'
import type { SyncStatus } from '../state/link.svelte.ts'
import type { Presence } from '../state/presence.svelte.ts'
import type { Predictions } from '../state/predictions.svelte.ts'
import type { QualityResults } from '../state/quality.svelte.ts'
import type { ViewedVersion } from '../state/viewedVersion.svelte.ts'
import type { BlobStore } from '../sync/blobs.ts'
import type { Role } from '../sync/api.ts'

/** Everything the components of one open project share. */
export interface ProjectContext {
  session: Session
  project: ProjectState
  /** Which version the URL asks for, and what happened to it when it cannot be shown. */
  viewing: ViewedVersion
  filters: ItemFilters
  sync: SyncStatus
  presence: Presence
  blobs: BlobStore
  predictions: Predictions
  /** The Quality view's measurements, kept for the grid's outcome filter and the item view's marks. */
  quality: QualityResults
  role: () => Role
  /** True when edit controls may be shown: latest is shown and the token may write. */
  canEdit: () => boolean
}

const KEY = Symbol('strata:project')

export const provideProject = (ctx: ProjectContext): void => {
  setContext(KEY, ctx)
}

export const useProject = (): ProjectContext => getContext<ProjectContext>(KEY)

/** A user-readable message for anything thrown by the domain or the network. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** "12 Jun 2026, 14:03" in the user's locale. */
export const formatTime = (at: number): string => new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** "3 items", "1 item". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString()} ${n === 1 ? one : many}`
