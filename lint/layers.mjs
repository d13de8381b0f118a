// `npm run lint`: the layer rules of `.dependency-cruiser.cjs`, one line per violation.
//
// dependency-cruiser reads a Svelte 5 component through the Svelte compiler, which drops
// type-only imports (`import type * as Y from 'yjs'`), so a component could name the engine's
// types unseen. This script cruises a copy of the sources in which the components' type-only
// imports are plain imports; `.ts` files keep theirs, which dependency-cruiser reads itself.
import { spawnSync } from 'node:child_process'
import { cp, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '..')
const ROOTS = ['src', 'sync-server']
const SCRIPT = /(<script\b[^>]*>)([\s\S]*?)(<\/script>)/g

/** A component's script blocks with `import type …` and `{ type X }` made plain imports. */
export const withTypeImports = (component) =>
  component.replace(SCRIPT, (_, open, body, close) => {
    const plain = body
      .replace(/\bimport\s+type\s+/g, 'import ')
      .replace(/\bimport\s*\{([^}]*)\}/g, (_all, names) => `import {${names.replace(/(^\s*|,\s*)type\s+(?=[\w$])/g, '$1')}}`)
    return open + plain + close
  })

const copySources = async (to) => {
  for (const dir of ROOTS) {
    await cp(path.join(ROOT, dir), path.join(to, dir), { recursive: true })
  }
  for (const dir of ROOTS) {
    const files = await readdir(path.join(to, dir), { recursive: true })
    for (const file of files.filter((f) => f.endsWith('.svelte'))) {
      const at = path.join(to, dir, file)
      await writeFile(at, withTypeImports(await readFile(at, 'utf8')))
    }
  }
  for (const file of ['package.json', 'tsconfig.json']) await cp(path.join(ROOT, file), path.join(to, file))
  await symlink(path.join(ROOT, 'node_modules'), path.join(to, 'node_modules'), 'dir')
}

/** A module as a person names it: a package by its name, a source file by its path. */
const named = (module) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module)?.[1] ?? module

/** One line per violation: `rule: from → to`, a cycle written out in full. */
const lines = (violations) =>
  violations.map((v) => {
    const to = v.cycle?.length ? v.cycle.map((step) => step.name).join(' → ') : named(v.to)
    return `${v.rule.severity} ${v.rule.name}: ${v.from} → ${to}`
  })

const main = async () => {
  const copy = await mkdtemp(path.join(tmpdir(), 'strata-lint-'))
  try {
    await copySources(copy)
    const bin = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')
    const run = spawnSync(process.execPath, [bin, ...ROOTS, '--config', path.join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], { cwd: copy, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 })
    if (run.error || !run.stdout) throw new Error(`dependency-cruiser did not run: ${run.error ?? run.stderr}`)
    const { summary } = JSON.parse(run.stdout)
    for (const line of lines(summary.violations)) console.log(line)
    console.log(`${summary.error} errors, ${summary.warn} warnings in ${summary.totalCruised} modules (${summary.totalDependenciesCruised} imports)`)
    process.exitCode = summary.error > 0 ? 1 : 0
  } finally {
    await rm(copy, { recursive: true, force: true })
  }
}

await main()
