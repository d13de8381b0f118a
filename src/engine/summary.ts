import type * as Y from 'yjs'
import { type ClassId, type RunId, listVersions } from '../domain/index.ts'
import type { Awareness } from 'y-protocols/awareness'
import type { ClassOption, Person, ProjectTopic, RunOption } from './protocol.ts'
import { metaOf, recordsOf } from './records.ts'
import type { TabSession } from './tab.ts'

const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value.trim() ? value : fallback)

/** Who is here, from y-websocket awareness, this tab's replica first. */
export const peopleOf = (awareness: Awareness): Person[] => {
  const out: Person[] = []
  awareness.getStates().forEach((state, clientId) => {
    const user: unknown = state.user
    if (!user || typeof user !== 'object') return
    const u = user as Record<string, unknown>
    out.push({ clientId, name: text(u.name, 'Someone'), viewing: text(u.viewing, 'Latest'), self: clientId === awareness.clientID })
  })
  return out.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name))
}

export const classesOf = (doc: Y.Doc): ClassOption[] =>
  recordsOf(doc, 'classes')
    .map(([id, c]) => ({ id: id as ClassId, name: c.name, color: c.color }))
    .sort((a, b) => a.name.localeCompare(b.name))

export const runsOf = (doc: Y.Doc): RunOption[] =>
  recordsOf(doc, 'runs')
    .map(([id, r]) => ({ id: id as RunId, ...r }))
    .sort((a, b) => a.createdAt - b.createdAt)

/** The project topic of one tab: what its sidebar, toolbox and banners show. */
export const projectTopic = (tab: TabSession): ProjectTopic => {
  const engine = tab.engine
  const live = engine.doc
  const doc = tab.shown
  const cache = tab.cache
  const link = engine.connection
  const images = engine.images?.state ?? { done: 0, total: 0, added: 0, failed: [], running: false }
  return {
    phase: engine.phase,
    percent: engine.percent,
    error: engine.error,
    name: doc ? String(metaOf(doc, 'name') ?? '') : live ? String(metaOf(live, 'name') ?? '') : (cache?.name ?? ''),
    total: doc ? tab.itemCount(doc) : (cache?.total ?? 0),
    classes: doc ? classesOf(doc) : (cache?.classes ?? []).map((c) => ({ ...c, id: c.id as ClassId })).sort((a, b) => a.name.localeCompare(b.name)),
    runs: doc ? runsOf(doc) : [],
    versions: live ? listVersions(live) : [],
    link: {
      state: link?.state ?? 'connecting',
      reason: link?.reason ?? '',
      unsyncedChanges: link?.unsynced ?? 0,
      unsyncedBlobs: engine.blobs.pending,
      saveError: engine.saveError,
    },
    people: link ? peopleOf(link.awareness) : [],
    viewing: tab.viewing.topic,
    predictions: tab.predictions.topic,
    images,
    earlyProblems: engine.earlyProblems,
  }
}

