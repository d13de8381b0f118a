import fs from 'node:fs/promises'
import { type CocoDataset, checkSize, parseCoco, parseJsonText } from '../io/index.ts'
import { CliError } from './errors.ts'

/** Reads a JSON file, refusing one over the import limit before reading it. */
export const readJsonFile = async (file: string): Promise<unknown> => {
  const stat = await fs.stat(file).catch(() => null)
  if (!stat?.isFile()) throw new CliError(`${file} is not a file`)
  const size = checkSize(stat.size, file)
  if (!size.ok) throw new CliError(size.error)
  const parsed = parseJsonText(await fs.readFile(file, 'utf8'), file)
  if (!parsed.ok) throw new CliError(parsed.error)
  return parsed.value
}

/** Reads and checks a COCO ground-truth file. */
export const readCocoFile = async (file: string): Promise<CocoDataset> => {
  const coco = parseCoco(await readJsonFile(file), file)
  if (!coco.ok) throw new CliError(coco.error)
  return coco.value
}

/** Writes text to a file, or to stdout for `-`. */
export const writeOut = async (out: string, text: string): Promise<void> => {
  if (out === '-') process.stdout.write(text + '\n')
  else await fs.writeFile(out, text)
}
