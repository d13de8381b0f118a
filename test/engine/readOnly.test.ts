import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type ClassId, type ItemId, type LabelId, type VersionId, addClass, addItem, addLabel, createProject, createVersion, readItem, setTag } from '../../src/domain/index.ts'
import type { EngineApi } from '../../src/engine/protocol.ts'
import { connectTab, nextValue } from './memory.ts'

const ada = { id: 'u-ada', name: 'Ada' }
const image = { name: 'a.png', blob: 'c'.repeat(64), mime: 'image/png', width: 100, height: 100 }

const project = () => {
  const doc = createProject({ name: 'Roads' })
  const classId = addClass(doc, { name: 'car' })
  const itemId = addItem(doc, image, ada)
  const labelId = addLabel(doc, itemId, { classId, bbox: [1, 1, 10, 10] }, ada)
  const first = createVersion(doc, { name: 'First' }, ada)
  setTag(doc, itemId, 'later', true)
  const second = createVersion(doc, { name: 'Second' }, ada)
  setTag(doc, itemId, 'pending', true)
  return { doc, classId, itemId, labelId, first: first.id, second: second.id }
}

let close = (): void => undefined
afterEach(() => close())

describe('commands while an old version is shown', () => {
  it('are every one refused by the domain with ReadOnlyError, and the live document is unchanged', async () => {
    const p = project()
    const tab = connectTab(p.doc)
    close = tab.close
    await tab.link.call('show', p.first)
    const shown = await nextValue<{ viewing: { shown: VersionId | null } }>((fn) => tab.link.watch('project', null, fn), (v) => v.viewing.shown === p.first)
    expect(shown.viewing.shown).toBe(p.first)
    const before = Y.encodeStateAsUpdate(p.doc)

    const file = new File(['{}'], 'x.json', { type: 'application/json' })
    const edits: { [M in keyof EngineApi]?: Parameters<EngineApi[M]> } = {
      addLabel: [p.itemId, p.classId, [5, 5, 20, 20]],
      updateLabel: [p.itemId, p.labelId, { bbox: [2, 2, 10, 10] }],
      removeLabel: [p.itemId, p.labelId],
      setTags: [[p.itemId], 'forbidden', true],
      addClass: ['truck'],
      updateClass: [p.classId, { color: '#000000' }],
      createVersion: ['Third', ''],
      discard: [],
      restore: [p.second],
      deleteVersion: [p.second],
      undo: [],
      redo: [],
      importImages: [[{ file: new File([new Uint8Array(8)], 'b.png', { type: 'image/png' }), name: 'b.png' }]],
      planCoco: [file],
      applyCoco: [1],
      importRun: [{ results: file, reference: null, name: 'run', model: '' }],
    }
    for (const [method, args] of Object.entries(edits) as Array<[keyof EngineApi, unknown[]]>) {
      const call = tab.link.call.bind(tab.link) as (m: keyof EngineApi, ...a: unknown[]) => Promise<unknown>
      await expect(call(method, ...args), method).rejects.toMatchObject({ name: 'ReadOnlyError' })
    }
    expect(Y.encodeStateAsUpdate(p.doc)).toEqual(before)
    expect(readItem(p.doc, p.itemId as ItemId)?.tags).toEqual(['later', 'pending'])
  })

  it('go to latest once it is shown again, as one transaction of the tab', async () => {
    const p = project()
    const tab = connectTab(p.doc)
    close = tab.close
    await tab.link.call('show', p.first)
    await tab.link.call('show', null)
    let transactions = 0
    p.doc.on('afterTransaction', () => transactions++)
    await tab.link.call('setTags', [p.itemId], 'reviewed', true)
    expect(transactions).toBe(1)
    expect(readItem(p.doc, p.itemId)?.tags).toContain('reviewed')
    const labelId: LabelId = await tab.link.call('addLabel', p.itemId, p.classId as ClassId, [20, 20, 10, 10])
    expect(readItem(p.doc, p.itemId)?.labels.map((l) => l.id)).toContain(labelId)
    await tab.link.call('undo')
    expect(readItem(p.doc, p.itemId)?.labels.map((l) => l.id)).not.toContain(labelId)
  })
})
