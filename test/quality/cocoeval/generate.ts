/**
 * Writes the COCOeval oracle cases to cases/<name>.json; `python3 cocoeval.py` then writes pycocotools' numbers
 * for them to expected/. Seeded, so a rerun rewrites the same files.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CocoCase } from './coco.ts'
import { coverageCases } from './coverageCases.ts'
import { matchingCases } from './matchingCases.ts'
import { simulatedCases } from './simulatedCases.ts'
import { thresholdCases } from './thresholdCases.ts'

const casesDir = join(dirname(fileURLToPath(import.meta.url)), 'cases')

/** JSON with one record per line, so a regenerated case diffs by box. */
const format = (value: unknown, indent = ''): string => {
  if (Array.isArray(value) && value.some((v) => typeof v === 'object' && v !== null)) {
    return value.length === 0 ? '[]' : `[\n${value.map((v) => `${indent}  ${JSON.stringify(v)}`).join(',\n')}\n${indent}]`
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && indent.length < 4) {
    const fields = Object.entries(value).map(([k, v]) => `${indent}  ${JSON.stringify(k)}: ${format(v, `${indent}  `)}`)
    return `{\n${fields.join(',\n')}\n${indent}}`
  }
  return JSON.stringify(value)
}

const cases: CocoCase[] = [...matchingCases(), ...thresholdCases(), ...coverageCases(), ...simulatedCases()]
mkdirSync(casesDir, { recursive: true })
for (const file of readdirSync(casesDir)) if (file.endsWith('.json')) rmSync(join(casesDir, file))
for (const c of cases) {
  writeFileSync(join(casesDir, `${c.name}.json`), `${format(c)}\n`)
  console.log(`${c.name}: ${c.gt.images.length} images, ${c.gt.annotations.length} truth, ${c.dt.length} detections`)
}
