import type { ClassId, RunId } from './ids.ts'
import type { MetaRecord } from './project.ts'
import type { ClassJson, ItemJson, LabelJson, ProjectJson, RunJson } from './read.ts'
import type { VersionComparison } from './diff.ts'

const byTimeThenId = <T extends { id: string }>(time: (x: T) => number) => (a: T, b: T): number =>
  time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

const applyItem = (older: ItemJson | undefined, d: VersionComparison['items'][number]): ItemJson | null => {
  if (d.after === null) return null
  const labels = new Map<string, LabelJson>((older?.labels ?? []).map((l) => [l.id, l]))
  for (const l of d.labels.removed) labels.delete(l.id)
  for (const l of [...d.labels.added, ...d.labels.changed]) {
    if (!l.after) continue
    const { itemId: _, ...rest } = l.after
    labels.set(l.id, { id: l.id, ...rest })
  }
  const tags = new Set(older?.tags ?? [])
  for (const t of d.tags.removed) tags.delete(t)
  for (const t of d.tags.added) tags.add(t)
  return { id: d.id, ...d.after, tags: [...tags].sort(), labels: [...labels.values()].sort(byTimeThenId((l) => l.at)) }
}

/**
 * The newer project from the older one and a comparison of the two: what the comparison
 * view promises, that its list of changes is the whole difference. Pure; `older` is not changed.
 */
export const applyDiff = (older: ProjectJson, diff: VersionComparison): ProjectJson => {
  const items = new Map(older.items.map((i) => [i.id, i]))
  for (const d of diff.items) {
    const next = applyItem(items.get(d.id), d)
    if (next) items.set(d.id, next)
    else items.delete(d.id)
  }
  const classes = new Map<string, ClassJson>(older.classes.map((c) => [c.id, c]))
  for (const c of diff.classes) c.after ? classes.set(c.id, { id: c.id as ClassId, ...c.after }) : classes.delete(c.id)
  const runs = new Map<string, RunJson>(older.runs.map((r) => [r.id, r]))
  for (const r of diff.runs) r.after ? runs.set(r.id, { id: r.id as RunId, ...r.after }) : runs.delete(r.id)
  const meta: MetaRecord = { ...older.meta }
  for (const m of diff.meta) Object.assign(meta, { [m.id]: m.after ?? (m.id === 'name' ? '' : 0) })
  return {
    meta,
    classes: [...classes.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1)),
    items: [...items.values()].sort(byTimeThenId((i) => i.addedAt)),
    runs: [...runs.values()].sort(byTimeThenId((r) => r.createdAt)),
  }
}
