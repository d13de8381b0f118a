import { type VersionRef, listVersions } from '../domain/index.ts'
import type { TabSession } from './tab.ts'

/** The name a version reference is shown by: "Latest", a version's name, or "a deleted version". */
export const refName = (tab: TabSession, ref: VersionRef): string => {
  if (ref === 'latest') return 'Latest'
  const live = tab.engine.doc
  return (live && listVersions(live).find((v) => v.id === ref)?.name) || 'a deleted version'
}

/** The name of what a tab shows, as export file names use it ("latest" on latest). */
export const shownName = (tab: TabSession): string => (tab.viewing.shown === null ? 'latest' : refName(tab, tab.viewing.shown))
