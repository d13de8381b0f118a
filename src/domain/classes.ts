import type * as Y from 'yjs'
import { type ClassId, newId } from './ids.ts'
import { type ClassRecord, write } from './project.ts'
import { NotFoundError, ValidationError } from './errors.ts'
import { type CocoClassRef, requireCocoRef, withCoco } from './cocoRef.ts'

const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#469990', '#9a6324']
const COLOR = /^#[0-9a-f]{6}$/i

/** A trimmed non-empty name, or a ValidationError naming the field. */
export const requireName = (value: unknown, field: string): string => {
  const name = typeof value === 'string' ? value.trim() : ''
  if (!name) throw new ValidationError(`${field} must not be empty`)
  if (name.length > 200) throw new ValidationError(`${field} is longer than 200 characters`)
  return name
}

/** Adds a class to the ontology; the color defaults to the next one in a fixed palette. */
export const addClass = (doc: Y.Doc, input: { name: string; color?: string; coco?: CocoClassRef }): ClassId =>
  write(doc, (m) => {
    const name = requireName(input.name, 'Class name')
    const color = input.color ?? PALETTE[m.classes.size % PALETTE.length] ?? '#888888'
    if (!COLOR.test(color)) throw new ValidationError(`Class color must look like #rrggbb, got "${color}"`)
    const id = newId<ClassId>()
    m.classes.set(id, { name, color, ...withCoco(requireCocoRef(input.coco, 'class')) } satisfies ClassRecord)
    return id
  })

/** Renames or recolors a class. */
export const updateClass = (doc: Y.Doc, classId: ClassId, patch: { name?: string; color?: string }): void =>
  write(doc, (m) => {
    const current = m.classes.get(classId)
    if (!current) throw new NotFoundError(`No class ${classId}`)
    const name = patch.name === undefined ? current.name : requireName(patch.name, 'Class name')
    const color = patch.color ?? current.color
    if (!COLOR.test(color)) throw new ValidationError(`Class color must look like #rrggbb, got "${color}"`)
    m.classes.set(classId, { name, color, ...withCoco(current.coco) })
  })

/** Records the COCO category an existing class is (an import matched it by name); a link it has stays. */
export const linkClassToCoco = (doc: Y.Doc, classId: ClassId, coco: CocoClassRef): void =>
  write(doc, (m) => {
    const current = m.classes.get(classId)
    if (!current) throw new NotFoundError(`No class ${classId}`)
    if (current.coco === undefined) m.classes.set(classId, { ...current, coco: requireCocoRef(coco, 'class') as CocoClassRef })
  })
