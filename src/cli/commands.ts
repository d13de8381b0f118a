import type * as Y from 'yjs'
import {
  type Actor, type ProjectJson, type Version, describeDeletion, discardChanges, createVersion, findVersion, listVersions, openVersion, readProject,
} from '../domain/index.ts'
import { ambiguousVersion } from '../wire.ts'
import { applyCocoImport, describePredictions, describeReport, importRun, planCocoImport, preparePredictions, readRunBlob, toCoco, toCocoResults } from '../io/index.ts'
import { CliError } from './errors.ts'
import { readCocoFile, readJsonFile, writeOut } from './files.ts'
import { type Target, getBlob, missingBlobs, putBlob } from './rest.ts'
import type { Session } from './session.ts'
import { type YoloCliOptions, exportYolo } from './yolo.ts'

export type Log = (line: string) => void
export type Connect = () => Promise<Session>

/** `import coco <file>`: classes, items matched by file_name, labels, in one transaction. */
export const importCoco = async (t: Target, file: string, connect: Connect, by: Actor, log: Log): Promise<void> => {
  const coco = await readCocoFile(file)
  const s = await connect()
  const plan = planCocoImport(readProject(s.doc), coco)
  applyCocoImport(s.doc, plan, by)
  await s.close()
  for (const line of describeReport(plan.report)) log(line)
  const missing = plan.newItems.length ? await missingBlobs(t, plan.newItems.map((i) => i.blob)) : new Set()
  if (missing.size) log(`${missing.size} added images have no file on the server yet; upload them with: import images <folder>`)
}

/** `import predictions <file> --name <run>`: the normalised file becomes a blob, then a run record. */
export const importPredictions = async (
  t: Target, file: string, opts: { name: string; model?: string; coco?: string }, connect: Connect, by: Actor, log: Log,
): Promise<void> => {
  const json = await readJsonFile(file)
  const reference = opts.coco === undefined ? undefined : await readCocoFile(opts.coco)
  const s = await connect()
  const prepared = preparePredictions(readProject(s.doc), json, reference, file)
  if (!prepared.ok) throw new CliError(prepared.error)
  const run = await importRun(s.doc, { name: opts.name, ...(opts.model ? { model: opts.model } : {}) }, prepared.value.predictions, by, async (bytes, sha256) => {
    if ((await missingBlobs(t, [sha256])).size) await putBlob(t, sha256, bytes)
  })
  if (!run.ok) throw new CliError(run.error)
  await s.close()
  log(`run "${opts.name}" (${run.value.runId}): ${describePredictions(prepared.value.report)}`)
}

/** `version create <name>`. */
export const versionCreate = async (name: string, description: string | undefined, connect: Connect, by: Actor, log: Log): Promise<void> => {
  const s = await connect()
  const v = createVersion(s.doc, { name, ...(description ? { description } : {}) }, by)
  await s.close()
  log(`${v.id}\t${v.name}`)
}

const row = (v: Version): string =>
  [v.id, v.name, v.kind, new Date(v.at).toISOString(), v.by.name, `${v.stats.items} items, ${v.stats.labels} labels, ${v.stats.runs} runs`].join('\t')

/** `version list`: oldest first, tab-separated (or JSON). */
export const versionList = async (json: boolean, connect: Connect, log: Log): Promise<void> => {
  const s = await connect()
  const versions = listVersions(s.doc)
  await s.close()
  if (json) log(JSON.stringify(versions.map(({ id, name, description, kind, at, by, stats }) => ({ id, name, description, kind, at, by, stats }))))
  else for (const v of versions) log(row(v))
}

/** `version discard`: back to the last version, recording the discarded work as a version. */
export const versionDiscard = async (connect: Connect, by: Actor, log: Log): Promise<void> => {
  const s = await connect()
  const kept = discardChanges(s.doc, by)
  await s.close()
  log(`discarded ${kept.reverted} changes; they are kept as version ${kept.id} "${kept.name}"`)
}

/** The version `wanted` names (an id, else a name); a shared name is refused with the list the server's export gives. */
const pickVersion = (doc: Y.Doc, wanted: string): Version => {
  const match = findVersion(doc, wanted)
  if (match.found === 'one') return match.version
  if (match.found === 'several') throw new CliError(ambiguousVersion(wanted, match.candidates))
  if (match.found === 'deleted') throw new CliError(describeDeletion(match.deleted))
  throw new CliError(`no version "${wanted}"; see: version list`)
}

/** Latest or the version `wanted` names, as plain values (the session is closed either way). */
const readShown = async (wanted: string, connect: Connect): Promise<ProjectJson> => {
  const s = await connect()
  try {
    return wanted === 'latest' ? readProject(s.doc) : readProject(openVersion(s.doc, pickVersion(s.doc, wanted).id))
  } catch (e) {
    throw e instanceof CliError ? e : new CliError(e instanceof Error ? e.message : String(e))
  } finally {
    await s.close()
  }
}

/** How `export` was asked for: COCO (with `run`, a run's results) or YOLO. */
export type ExportOptions = { version: string; out: string; run?: string; format?: 'coco' } | ({ format: 'yolo' } & YoloCliOptions)

/**
 * `export --version <name|id|latest> --out <file> [--run <name|id>]`: COCO ground truth, or a run as COCO results;
 * with `--format yolo`, the Ultralytics layout (`yolo.ts`).
 */
export const exportProject = async (t: Target, opts: ExportOptions, connect: Connect, log: Log): Promise<void> => {
  const project = await readShown(opts.version, connect)
  if (opts.format === 'yolo') return exportYolo(t, project, opts, log)
  const gt = toCoco(project, opts.version)
  if (opts.run === undefined) {
    await writeOut(opts.out, JSON.stringify(gt))
    return log(`${gt.images.length} images, ${gt.annotations.length} labels, ${gt.categories.length} classes written to ${opts.out}`)
  }
  const run = project.runs.filter((r) => r.id === opts.run || r.name === opts.run)
  if (run.length !== 1) throw new CliError(run.length ? `${run.length} runs are named "${opts.run}"; use an id` : `no run "${opts.run}" in version ${opts.version}`)
  const bytes = await getBlob(t, run[0]!.blob, `run "${run[0]!.name}"`)
  const { results, leftOut } = toCocoResults(readRunBlob(JSON.parse(new TextDecoder().decode(bytes))), gt)
  await writeOut(opts.out, JSON.stringify(results))
  log(`${results.length} predictions written to ${opts.out}${leftOut ? ` (${leftOut} on items or classes not in this version left out)` : ''}; ids match: export --version ${opts.version}`)
}
