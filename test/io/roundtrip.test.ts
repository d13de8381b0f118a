import { describe, expect, it } from 'vitest'
import { addLabel, createProject, listVersions, openVersion, readProject, removeItem, updateClass } from '../../src/domain/index.ts'
import { applyCocoImport, parseCoco, parseJsonText, planCocoImport, toCoco } from '../../src/io/index.ts'
import { ann, comparable, sampleProject } from './fixtures.ts'

/** Export → text → parse → import into an empty project. */
const reimport = (json: unknown) => {
  const text = JSON.stringify(json)
  const parsed = parseJsonText(text, 'export.json')
  if (!parsed.ok) throw new Error(parsed.error)
  const coco = parseCoco(parsed.value)
  if (!coco.ok) throw new Error(coco.error)
  const doc = createProject({ name: 'Copy' })
  const report = applyCocoImport(doc, planCocoImport(readProject(doc), coco.value), ann)
  return { doc, report }
}

describe('COCO export then import', () => {
  it('gives back the same project', () => {
    const doc = sampleProject()
    const exported = toCoco(readProject(doc))
    expect(exported.images).toHaveLength(3)
    expect(exported.annotations).toHaveLength(4)
    expect(exported.categories.map((c) => c.name)).toEqual(['car', 'person', 'unused'])
    const { doc: copy, report } = reimport(exported)
    expect(report).toMatchObject({ imagesAdded: 3, labelsAdded: 4, classesAdded: 3, tagsAdded: 2, skipped: [] })
    expect(comparable(readProject(copy))).toEqual(comparable(readProject(doc)))
  })

  it('exports an old version as it was, not as latest', () => {
    const doc = sampleProject()
    const v1 = listVersions(doc)[0]!
    const atV1 = comparable(readProject(doc))
    const p = readProject(doc)
    removeItem(doc, p.items[0]!.id)
    addLabel(doc, p.items[1]!.id, { classId: p.classes[0]!.id, bbox: [5, 5, 5, 5] }, ann)
    updateClass(doc, p.classes[0]!.id, { name: 'vehicle' })
    const old = toCoco(readProject(openVersion(doc, v1.id)), v1.id)
    expect(old.info?.version).toBe(v1.id)
    expect(comparable(readProject(reimport(old).doc))).toEqual(atV1)
    expect(comparable(readProject(reimport(toCoco(readProject(doc))).doc))).toEqual(comparable(readProject(doc)))
    expect(comparable(readProject(doc))).not.toEqual(atV1)
  })

  it('re-importing its own export into the same project changes nothing', () => {
    const doc = sampleProject()
    const before = readProject(doc)
    const coco = parseCoco(JSON.parse(JSON.stringify(toCoco(before))))
    if (!coco.ok) throw new Error(coco.error)
    const report = applyCocoImport(doc, planCocoImport(before, coco.value), ann)
    expect(report).toMatchObject({ imagesAdded: 0, imagesMatched: 3, labelsAdded: 0, labelsAlreadyPresent: 4, classesAdded: 0, tagsAdded: 0 })
    expect(readProject(doc)).toEqual(before)
  })
})
