import type * as Y from 'yjs'
import {
  type ItemId, type VersionRef, NotFoundError, ReadOnlyError, addClass, addLabel, createVersion, deleteVersion, discardChanges,
  isReadOnly, openVersion, readItem, readProject, removeLabel, restoreVersion, setTag, updateClass, updateLabel,
} from '../domain/index.ts'
import { applyCocoImport, describePredictions, describeReport, planCocoImport, predictionTarget, recordRun } from '../io/index.ts'
import { type EarlyEdit, earlyLabelId } from './early.ts'
import { exportCoco, exportYolo } from './exports.ts'
import { readCoco, readRun } from './files.ts'
import type { EngineApi, Method, RunOption } from './protocol.ts'
import { runsOf } from './summary.ts'
import type { TabSession } from './tab.ts'
import { refName, shownName } from './versionNames.ts'

/** A command's handler: the tab it came from, its arguments, a `progress` line for long work. */
type Handler<M extends Method> = (tab: TabSession, args: Parameters<EngineApi[M]>, progress: (text: string) => void) => ReturnType<EngineApi[M]> | Promise<ReturnType<EngineApi[M]>>
type Handlers = { [M in Method]: Handler<M> }

/** The document the tab shows, once loaded: edits sent before it is there wait for it, then go to it. */
const target = async (tab: TabSession): Promise<Y.Doc> => {
  await tab.engine.ready
  const doc = tab.shown
  if (!doc) throw new ReadOnlyError('This version cannot be shown yet, so it cannot be changed')
  return doc
}

/** One user action on what the tab shows, as one transaction of this tab's (its undo history tracks it). */
const edit = async <T>(tab: TabSession, fn: (doc: Y.Doc) => T): Promise<T> => {
  const doc = await target(tab)
  if (isReadOnly(doc)) throw new ReadOnlyError()
  // Made before the first edit, so the tab's undo history has it.
  void tab.undo
  let out: T | undefined
  doc.transact(() => (out = fn(doc)), tab.origin)
  return out as T
}

/**
 * An item edit made while the document loads: kept and shown at once over the cached cells
 * (latest only, which is all the cache shows), applied when the document is in. Answers false
 * when the document is there (or nothing is cached), so the edit goes to the document.
 */
const early = async (tab: TabSession, edit: EarlyEdit, itemId: ItemId): Promise<boolean> => {
  const kept = tab.engine.early
  if (!kept || tab.engine.doc || tab.engine.phase !== 'cached' || tab.viewing.wanted !== null) return false
  await kept.keep(edit, tab.cachedCell(itemId))
  return true
}

let nextPlan = 0

/** Runs a version refers to, plus the runs of latest: a run removed since stays measurable. */
const runsFor = (live: Y.Doc, ref: VersionRef): RunOption[] => {
  const seen = new Map<string, RunOption>()
  try {
    for (const doc of ref === 'latest' ? [live] : [openVersion(live, ref), live]) for (const r of runsOf(doc)) seen.set(r.id, r)
  } catch {
    // a version not yet synced has no readable runs; measuring it says why
  }
  return [...seen.values()].sort((x, y) => y.createdAt - x.createdAt)
}

export const handlers: Handlers = {
  show: (tab, [versionId]) => {
    tab.viewing.follow(versionId, tab.engine.doc, tab.synced)
    tab.shownChanged()
  },
  dismiss: (tab) => {
    tab.viewing.dismiss()
    tab.shownChanged()
  },
  network: (tab, [online]) => tab.engine.network(online),
  publish: (tab, [name, viewing]) => {
    tab.actor = { ...tab.actor, name }
    tab.engine.publish(tab, { name, viewing })
  },
  addLabel: async (tab, [itemId, classId, bbox]) => {
    const id = earlyLabelId()
    if (await early(tab, { kind: 'addLabel', itemId, classId, bbox, id, by: tab.actor }, itemId)) return id
    return edit(tab, (doc) => addLabel(doc, itemId, { classId, bbox }, tab.actor, id))
  },
  updateLabel: async (tab, [itemId, labelId, patch]) => {
    if (await early(tab, { kind: 'updateLabel', itemId, labelId, patch, by: tab.actor }, itemId)) return
    return edit(tab, (doc) => updateLabel(doc, itemId, labelId, patch, tab.actor))
  },
  removeLabel: async (tab, [itemId, labelId]) => {
    if (await early(tab, { kind: 'removeLabel', itemId, labelId, by: tab.actor }, itemId)) return
    return edit(tab, (doc) => removeLabel(doc, itemId, labelId))
  },
  setTags: async (tab, [ids, tag, on]) => {
    if (ids[0] && (await early(tab, { kind: 'setTags', ids, tag, on, by: tab.actor }, ids[0]))) return
    return edit(tab, (doc) => ids.forEach((id) => setTag(doc, id, tag, on)))
  },
  addClass: (tab, [name]) => edit(tab, (doc) => addClass(doc, { name })),
  updateClass: (tab, [classId, patch]) => edit(tab, (doc) => updateClass(doc, classId, patch)),
  createVersion: async (tab, [name, description]) => createVersion(await target(tab), { name, description }, tab.actor),
  discard: async (tab) => discardChanges(await target(tab), tab.actor),
  restore: async (tab, [versionId]) => restoreVersion(await target(tab), versionId, tab.actor),
  deleteVersion: async (tab, [versionId]) => void deleteVersion(await target(tab), versionId, tab.actor),
  undo: async (tab) => {
    await target(tab).then((doc) => { if (isReadOnly(doc)) throw new ReadOnlyError() })
    tab.undo?.undo()
  },
  redo: async (tab) => {
    await target(tab).then((doc) => { if (isReadOnly(doc)) throw new ReadOnlyError() })
    tab.undo?.redo()
  },
  blob: (tab, [sha]) => tab.engine.blobs.get(sha),
  importImages: async (tab, [files]) => {
    const doc = await target(tab)
    const images = tab.engine.images
    if (!images) throw new Error('The project is not open')
    images.add(doc, files, tab.actor)
  },
  planCoco: async (tab, [file], progress) => {
    const doc = await target(tab)
    if (isReadOnly(doc)) throw new ReadOnlyError()
    progress(`Reading ${file.name}…`)
    const read = await readCoco(file)
    if (!read.ok) throw new Error(read.error)
    const planId = ++nextPlan
    const plan = planCocoImport(readProject(doc), read.value)
    tab.plans.set(planId, plan)
    return { planId, lines: describeReport(plan.report) }
  },
  cancelCoco: (tab, [planId]) => void tab.plans.delete(planId),
  applyCoco: async (tab, [planId]) => {
    const doc = await target(tab)
    if (isReadOnly(doc)) throw new ReadOnlyError()
    const planned = tab.plans.get(planId)
    tab.plans.delete(planId)
    if (!planned) throw new NotFoundError('This import was already applied or cancelled; choose the file again')
    try {
      return describeReport(applyCocoImport(doc, planned, tab.actor))
    } catch (e) {
      throw new Error(`Nothing was imported: ${e instanceof Error ? e.message : String(e)}`)
    }
  },
  importRun: async (tab, [input], progress) => {
    const doc = await target(tab)
    if (isReadOnly(doc)) throw new ReadOnlyError()
    progress(`Reading ${input.results.name}…`)
    const project = readProject(doc)
    const read = await readRun(input.results, input.reference, predictionTarget({ items: project.items, classes: project.classes }))
    if (!read.ok) throw new Error(read.error)
    progress('Saving the run…')
    const { bytes, sha256, count, report } = read.value
    await tab.engine.blobs.add(new Blob([bytes], { type: 'application/json' }), sha256)
    const saved = recordRun(doc, { name: input.name, model: input.model }, { sha256, count }, tab.actor)
    if (!saved.ok) throw new Error(saved.error)
    void tab.engine.blobs.flush()
    return `Run "${input.name.trim()}": ${describePredictions(report)}`
  },
  showPredictions: (tab, [runId, threshold]) => {
    const doc = tab.shown
    const run = doc && runId ? (runsOf(doc).find((r) => r.id === runId) ?? null) : null
    void tab.predictions.show(run, threshold)
  },
  exportCoco: async (tab, [runId]) => exportCoco(await target(tab), tab.viewing.shown, shownName(tab), runId, tab.engine.blobs),
  exportYolo: async (tab, [input], progress) => exportYolo(await target(tab), shownName(tab), input, tab.engine.blobs, progress),
  runsFor: (tab, [ref]) => (tab.engine.doc ? runsFor(tab.engine.doc, ref) : []),
  measure: async (tab, [jobs, options]) => {
    const live = tab.engine.doc
    if (!live) throw new Error('The project is still loading')
    const resolved = jobs.map((job) => {
      const run = runsFor(live, job.version).find((r) => r.id === job.runId)
      if (!run) throw new Error('Pick a prediction run first; import one as COCO results to measure it')
      const doc = job.version === 'latest' ? live : openVersion(live, job.version)
      return { version: job.version, doc, runId: job.runId, run, versionName: refName(tab, job.version) }
    })
    void tab.measures.measure(resolved, options)
  },
  cancelMeasure: (tab) => tab.measures.cancel(),
  clearMeasures: (tab) => tab.measures.clear(),
  markWith: (tab, [index]) => tab.measures.markWith(index),
  outcomeItems: async (tab, [index, selection]) => (await tab.measures.items(index, selection)).length,
  changedOutcomes: async (tab) => {
    const live = tab.engine.doc
    const list = await tab.measures.changedItems()
    return list.map((c) => ({ ...c, name: (live && readItem(live, c.itemId as ItemId)?.name) || `item ${c.itemId.slice(0, 8)}` }))
  },
}

