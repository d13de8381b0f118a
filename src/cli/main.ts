import os from 'node:os'
import { parseArgs } from 'node:util'
import type { Actor } from '../domain/index.ts'
import { type ExportOptions, exportProject, importCoco, importPredictions, versionCreate, versionDiscard, versionList, type Log } from './commands.ts'
import { CliError } from './errors.ts'
import { importImages } from './images.ts'
import { type Target, createProject } from './rest.ts'
import { open } from './session.ts'
import { splitTags } from './yolo.ts'

const USAGE = `usage: strata <command> [--server URL] [--token T] [--project ID] [--timeout SECONDS]
  project create <name>                       (admin token) prints {"id", "name", "token"}
  import images <folder>                      PNG/JPEG/GIF/WebP/BMP files, named by their path in the folder
  import coco <file>                          COCO ground truth: classes, labels on items matched by file_name
  import predictions <file> --name <run> [--model M] [--coco <gt.json>]
                                              COCO results; --coco maps numeric ids by file_name / category name
  version create <name> [--description D]
  version list [--json]
  version discard
  export --version <name|id|latest> --out <file|-> [--run <name|id>]
  export --version <name|id|latest> --format yolo --out <folder|file.zip> [--split] [--split-tags T,V,X] [--labels-only]
                                              Ultralytics layout; --split puts items tagged train/val/test (or the
                                              --split-tags) in those lists, untagged ones in train
flags fall back to STRATA_SERVER, STRATA_TOKEN, STRATA_PROJECT; STRATA_USER names the author.`

const { values, positionals } = ((): ReturnType<typeof parse> => {
  try {
    return parse()
  } catch (e) {
    return fatal(new CliError(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`, 2))
  }
})()

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      server: { type: 'string' }, token: { type: 'string' }, project: { type: 'string' }, timeout: { type: 'string' },
      name: { type: 'string' }, model: { type: 'string' }, coco: { type: 'string' }, description: { type: 'string' },
      version: { type: 'string' }, out: { type: 'string' }, run: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      format: { type: 'string' }, split: { type: 'boolean' }, 'split-tags': { type: 'string' }, 'labels-only': { type: 'boolean' },
    },
  })
}

function fatal(e: unknown): never {
  const code = e instanceof CliError ? e.code : 1
  console.error(`strata: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(code)
}

const need = (value: string | undefined, what: string): string => {
  if (value === undefined || value === '') throw new CliError(`${what} is required\n${USAGE}`, 2)
  return value
}

const target = (withProject: boolean): Target => ({
  server: need(values.server ?? process.env.STRATA_SERVER, '--server (or STRATA_SERVER)'),
  token: need(values.token ?? process.env.STRATA_TOKEN, '--token (or STRATA_TOKEN)'),
  project: withProject ? need(values.project ?? process.env.STRATA_PROJECT, '--project (or STRATA_PROJECT)') : '',
})

const actor = (): Actor => {
  const user = os.userInfo().username
  return { id: `cli:${os.hostname()}:${user}`, name: process.env.STRATA_USER ?? `${user} (CLI)` }
}

/** The export flags: COCO by default, `--format yolo` with its own. */
const exportOptions = (): ExportOptions => {
  const version = need(values.version, '--version')
  const out = need(values.out, '--out')
  const format = values.format ?? 'coco'
  if (format === 'coco') return { version, out, ...(values.run ? { run: values.run } : {}) }
  if (format !== 'yolo') throw new CliError(`--format ${format} is not known; use coco or yolo\n${USAGE}`, 2)
  if (values.run) throw new CliError('--run exports COCO results; it does not go with --format yolo', 2)
  const split = splitTags(values['split-tags'], values.split)
  return { format, version, out, labelsOnly: values['labels-only'] ?? false, ...(split ? { split } : {}) }
}

const run = async (): Promise<void> => {
  const [group, command, arg] = positionals
  if (values.help || group === undefined) return void console.log(USAGE)
  const timeoutMs = Number(values.timeout ?? 60) * 1000
  const log: Log = (line) => console.log(line)
  const key = `${group} ${command ?? ''}`
  if (key === 'project create') return log(JSON.stringify(await createProject(target(false), need(arg, 'a project name'))))
  const t = target(true)
  const connect = () => open(t, timeoutMs)
  if (group === 'export') return exportProject(t, exportOptions(), connect, values.out === '-' ? (l) => console.error(l) : log)
  if (key === 'import images') return importImages(t, need(arg, 'a folder'), connect, actor(), log)
  if (key === 'import coco') return importCoco(t, need(arg, 'a COCO file'), connect, actor(), log)
  if (key === 'import predictions') {
    return importPredictions(t, need(arg, 'a results file'), { name: need(values.name, '--name'), ...(values.model ? { model: values.model } : {}), ...(values.coco ? { coco: values.coco } : {}) }, connect, actor(), log)
  }
  if (key === 'version create') return versionCreate(need(arg, 'a version name'), values.description, connect, actor(), log)
  if (key === 'version list') return versionList(values.json ?? false, connect, log)
  if (key === 'version discard') return versionDiscard(connect, actor(), log)
  throw new CliError(`unknown command "${positionals.join(' ')}"\n${USAGE}`, 2)
}

// Exit explicitly: a provider left open by a failed command would otherwise keep the process alive.
run().then(() => process.exit(0), fatal)
