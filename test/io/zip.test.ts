import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import * as D from '../../src/domain/index.ts'
import { ZipWriter, crc32, readZip, toYolo, writeYoloZip } from '../../src/io/index.ts'
import { ann, sha } from './fixtures.ts'

const join = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0)
  return out
}

/** Python's zipfile and PyYAML, an independent reader of what we write; skipped where they are missing. */
const python = (() => {
  try {
    execFileSync('python3', ['-c', 'import zipfile, yaml'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

const readWithPython = (zip: Uint8Array, script: string): string => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'strata-zip-')), 'a.zip')
  fs.writeFileSync(file, zip)
  return execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })
}

describe('stored zip', () => {
  it('computes the standard CRC-32, also fed in slices', () => {
    const bytes = new TextEncoder().encode('123456789')
    expect(crc32(bytes)).toBe(0xcbf43926)
    expect(crc32(bytes.subarray(4), crc32(bytes.subarray(0, 4)))).toBe(0xcbf43926)
  })

  it('reads back what it wrote and refuses a damaged entry', () => {
    const zip = new ZipWriter()
    const body = new TextEncoder().encode('hello')
    const bytes = join([zip.entry('a/b.txt', body.length, crc32(body)), body, zip.finish()])
    const back = readZip(bytes)
    expect(back.ok && new TextDecoder().decode(back.value.get('a/b.txt'))).toBe('hello')
    const broken = bytes.slice()
    const at = 30 + 'a/b.txt'.length
    broken[at] = broken[at]! ^ 1
    expect(readZip(broken)).toEqual({ ok: false, error: 'a/b.txt is damaged (CRC or size mismatch)' })
  })

  it('switches to zip64 past 65,535 entries, readable here and by Python', () => {
    const zip = new ZipWriter()
    const empty = new Uint8Array(0)
    const parts: Uint8Array[] = []
    for (let i = 0; i < 70_000; i++) parts.push(zip.entry(`labels/${i}.txt`, 0, crc32(empty)))
    parts.push(zip.finish())
    const bytes = join(parts)
    const back = readZip(bytes)
    expect(back.ok && back.value.size).toBe(70_000)
    if (python) expect(readWithPython(bytes, 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(len(z.namelist()), z.testzip())').trim()).toBe('70000 None')
  })

  it.skipIf(!python)('a YOLO export is a zip Python opens, with data.yaml names PyYAML reads in index order', async () => {
    const doc = D.createProject({ name: 'Py' })
    for (const name of ['zebra', 'a: "b" # c', "it's", 'ünï']) D.addClass(doc, { name })
    const item = D.addItem(doc, { name: 'dir/x.png', blob: sha('x'), mime: 'image/png', width: 10, height: 10 }, ann)
    D.addLabel(doc, item, { classId: D.listClasses(doc)[0]!.id, bbox: [1, 2, 3, 4] }, ann)
    const exp = toYolo(D.readProject(doc))
    const parts: Uint8Array[] = []
    await writeYoloZip(exp, async () => ({ body: new Uint8Array([1, 2, 3]), size: 3, crc: crc32(new Uint8Array([1, 2, 3])) }), (p) => void parts.push(p))
    const out = readWithPython(join(parts), [
      'import sys, zipfile, yaml, json',
      'z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None',
      'd = yaml.safe_load(z.read("data.yaml"))',
      'print(json.dumps({"names": d["names"], "nc": d["nc"], "train": d["train"], "val": d["val"], "files": sorted(z.namelist())}))',
    ].join('\n'))
    const names = exp.files.find((f) => f.path === 'data.yaml')!.text.match(/^ {2}\d+: (.*)$/gm)!.map((l) => JSON.parse(l.replace(/^ {2}\d+: /, '')) as string)
    expect(JSON.parse(out)).toEqual({
      names: Object.fromEntries(names.map((n, i) => [String(i), n])), nc: 4, train: 'train.txt', val: 'train.txt',
      files: ['data.yaml', 'images/train/dir__x.png', 'labels/train/dir__x.txt', 'strata.json', 'train.txt'],
    })
    expect(names.slice().sort()).toEqual(['a: "b" # c', "it's", 'zebra', 'ünï'].sort())
  })
})
