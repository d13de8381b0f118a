import { getContext, setContext } from 'svelte'
import type { Session } from '../state/session.svelte.ts'
import type { OpenProject } from '../state/openProject.svelte.ts'
import type { ItemFilters } from '../state/filters.svelte.ts'

/** Everything the components of one open project share. */
export interface ProjectContext {
  session: Session
  /** The open project: plain data from its engine, and the commands it takes. */
  project: OpenProject
  filters: ItemFilters
  /** True when edit controls may be shown: latest is loaded and shown, and the token may write. */
  canEdit: () => boolean
  /** True when items may be tagged and labelled: from the first paint, before the project has loaded. */
  canEditItems: () => boolean
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

/** Formats a number and a time once, so the locale's formats are loaded before the first screen needs them. */
export const loadFormats = (): void => void [plural(0, ''), formatTime(0)]
