import * as Y from 'yjs'
import * as D from '../src/domain/index.ts'
import { buildReference } from './reference.ts'
import { collect, heapMB, median, medianTime, time } from './stats.ts'

const bench: D.Actor = { id: 'bench', name: 'Bench' }

export interface Row {
  operation: string
  value: number
  unit: string
  baseline?: number
  budget?: number
}

/** Opens a version and reads what the first screen of the grid needs: `count` items with labels. */
export const firstScreen = (doc: Y.Doc, id: D.VersionId, count = 60): void => {
  const view = D.openVersion(doc, id)
  for (const item of D.listItems(view).slice(0, count)) D.readItem(view, item.id)
}

const openFullCopy = (bytes: Uint8Array): D.ProjectJson => {
  const copy = D.newProjectDoc()
  Y.applyUpdateV2(copy, bytes)
  return D.readProject(copy)
}

/** The version engine on the reference project, each figure a median over `runs`. */
export const benchVersions = (items: number, runs: number): Row[] => {
  const budget = (small: number, big: number): number => (items <= 10_000 ? small : big)
  let ref!: ReturnType<typeof buildReference>
  const build = time(() => (ref = buildReference(items)))
  const { doc, versions } = ref
  const heap = heapMB()
  const oldest = versions[0] as D.Version
  const middle = versions[Math.floor(versions.length / 2)] as D.Version
  const newest = versions[versions.length - 1] as D.Version
  const item = D.listItems(doc)[0]?.id as D.ItemId
  let flip = false
  const smallEdit = (): void => D.setTag(doc, item, 'bench', (flip = !flip))
  const fullCopy = Y.encodeStateAsUpdateV2(doc)
  const rows: Row[] = [
    { operation: 'build reference project (info)', value: build, unit: 'ms' },
    // Millisecond operations on a heap the 100k build left full: collect before each run (untimed)
    // so a major GC owed to the build does not land in one run's figure.
    { operation: 'create a version', value: medianTime(Math.max(runs, 15), () => D.createVersion(doc, { name: 'bench' }, bench), () => { smallEdit(); collect() }), unit: 'ms', baseline: medianTime(runs, () => Y.encodeStateAsUpdateV2(doc)), budget: budget(5, 20) },
    { operation: 'create a version: stock Y.snapshot + encode (info)', value: medianTime(Math.max(runs, 15), () => Y.encodeSnapshotV2(Y.snapshot(doc)), collect), unit: 'ms' },
    { operation: 'bytes per version record (median of rounds)', value: median(versions.slice(1).map((v) => v.bytes)), unit: 'B', baseline: fullCopy.byteLength, budget: fullCopy.byteLength / 100 },
    { operation: 'bytes per version record (largest)', value: Math.max(...versions.map((v) => v.bytes)), unit: 'B', baseline: fullCopy.byteLength, budget: fullCopy.byteLength / 100 },
    { operation: 'open oldest version to first screen (60 items)', value: medianTime(runs, () => firstScreen(doc, oldest.id)), unit: 'ms', budget: budget(100, 300) },
    { operation: 'open oldest version, whole project as JSON', value: medianTime(runs, () => D.readProject(D.openVersion(doc, oldest.id))), unit: 'ms', baseline: medianTime(Math.min(runs, 3), () => openFullCopy(fullCopy)), budget: budget(100, 1000) },
    { operation: 'open middle version, whole project as JSON', value: medianTime(runs, () => D.readProject(D.openVersion(doc, middle.id))), unit: 'ms', budget: budget(100, 1000) },
    { operation: 'open oldest version via Y.createDocFromSnapshot (info)', value: medianTime(Math.min(runs, 3), () => D.readProject(Y.createDocFromSnapshot(doc, Y.decodeSnapshotV2(D.maps(doc).versions.get(oldest.id)?.snapshot ?? new Uint8Array())))), unit: 'ms' },
  ]
  ref.editRound()
  rows.push({ operation: 'outstanding-changes summary (one edit round)', value: medianTime(runs, () => D.pendingChanges(doc)), unit: 'ms', budget: budget(50, 300) })
  rows.push({ operation: 'diff oldest and newest version', value: medianTime(runs, () => D.diffVersions(doc, oldest.id, newest.id)), unit: 'ms', budget: budget(100, 1000) })
  rows.push({ operation: 'discard one edit round (compute + apply)', value: medianTime(runs, () => D.discardChanges(doc, bench), () => ref.editRound()), unit: 'ms', budget: budget(150, 1500) })
  const last = D.lastCheckpoint(doc) as D.Version
  rows.push({ operation: 'restore the middle version (compute + apply)', value: medianTime(runs, () => D.restoreVersion(doc, middle.id, bench), () => { try { D.restoreVersion(doc, last.id, bench) } catch { /* already there */ } }), unit: 'ms', budget: budget(150, 1500) })
  const bytes = Y.encodeStateAsUpdateV2(doc)
  rows.push({ operation: 'encode whole document', value: medianTime(Math.min(runs, 3), () => Y.encodeStateAsUpdateV2(doc)), unit: 'ms' })
  rows.push({ operation: 'load whole document from bytes', value: medianTime(Math.min(runs, 3), () => Y.applyUpdateV2(D.newProjectDoc(), bytes)), unit: 'ms' })
  rows.push({ operation: 'document bytes (after the runs above)', value: bytes.byteLength, unit: 'B' })
  rows.push({ operation: 'heap after building the project', value: heap, unit: 'MB', budget: budget(100, 600) })
  return rows
}
