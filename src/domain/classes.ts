import type * as Y from 'yjs'
import { type ClassId, newId } from './ids.ts'
import { type ClassRecord, write } from './project.ts'
import { NotFoundError } from './errors.ts'
import { type CocoClassRef, cocoRule, withCoco } from './cocoRef.ts'
import { NAME, type RecordSchema, matching, requireRecord, trimmed } from './rules.ts'

const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#469990', '#9a6324']

/** A class of the ontology, as the domain writes it and the server accepts it. */
export const CLASS: RecordSchema<ClassRecord> = {
  what: 'Class',
  fields: { name: NAME, color: matching(/^#[0-9a-f]{6}$/i, 'must look like #rrggbb'), coco: cocoRule('class') },
}

/** Adds a class to the ontology; the color defaults to the next one in a fixed palette. */
export const addClass = (doc: Y.Doc, input: { name: string; color?: string; coco?: CocoClassRef }): ClassId =>
  write(doc, (m) => {
    const color = input.color ?? PALETTE[m.classes.size % PALETTE.length] ?? '#888888'
    const id = newId<ClassId>()
    m.classes.set(id, requireRecord(CLASS, { name: trimmed(input.name), color, ...withCoco(input.coco) }))
    return id
  })

/** Renames or recolors a class. */
export const updateClass = (doc: Y.Doc, classId: ClassId, patch: { name?: string; color?: string }): void =>
  write(doc, (m) => {
    const current = m.classes.get(classId)
    if (!current) throw new NotFoundError(`No class ${classId}`)
    const name = patch.name === undefined ? current.name : trimmed(patch.name)
    m.classes.set(classId, requireRecord(CLASS, { name, color: patch.color ?? current.color, ...withCoco(current.coco) }))
  })

/** Records the COCO category an existing class is (an import matched it by name); a link it has stays. */
export const linkClassToCoco = (doc: Y.Doc, classId: ClassId, coco: CocoClassRef): void =>
  write(doc, (m) => {
    const current = m.classes.get(classId)
    if (!current) throw new NotFoundError(`No class ${classId}`)
    if (current.coco === undefined) m.classes.set(classId, requireRecord(CLASS, { ...current, coco }))
  })
