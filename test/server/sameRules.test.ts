import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { findRecordProblem } from '../../sync-server/records.ts'
import { ann as by, image, sha } from '../domain/helpers.ts'
import { api, startTestServer } from './harness.ts'

// One schema per record: what the domain refuses to write, the server refuses to take from a
// client that skipped the domain (an old or a hostile one), for the same field.

const blob = sha('predictions')

const project = () => {
  const doc = D.createProject({ name: 'P' })
  const cls = D.addClass(doc, { name: 'car' })
  const item = D.addItem(doc, image('a.png'), by)
  const run = D.addRun(doc, { name: 'r', model: 'm', blob, count: 1 }, by)
  D.createVersion(doc, { name: 'v1' }, by)
  const version = D.listVersions(doc)[0] as D.Version
  return { doc, cls, item, run, version }
}

type Project = ReturnType<typeof project>

/** What a client that skips the domain sends the server: this one write, as an update. */
const rawUpdate = (p: Project, write: (m: D.ProjectMaps) => void): Uint8Array => {
  const before = Y.encodeStateVector(p.doc)
  p.doc.transact(() => write(D.maps(p.doc)))
  return Y.encodeStateAsUpdate(p.doc, before)
}

const withField = <T extends object>(map: Y.Map<T>, key: string, field: string, value: unknown) => map.set(key, { ...map.get(key), [field]: value } as T)

const cases: Array<[string, (p: Project) => unknown, (p: Project, m: D.ProjectMaps) => void, RegExp]> = [
  ['an item that is not an image', (p) => D.addItem(p.doc, { ...image('b'), mime: 'text/html' }, by),
    (p, m) => withField(m.items, p.item, 'mime', 'text/html'), /items ".*": bad field "mime": must be an image type/],
  ['an item with zero width', (p) => D.addItem(p.doc, { ...image('b'), width: 0 }, by),
    (p, m) => withField(m.items, p.item, 'width', 0), /bad field "width": must be a positive whole number of pixels/],
  ['an item with a blank name', (p) => D.addItem(p.doc, image(' '), by),
    (p, m) => withField(m.items, p.item, 'name', ' '), /bad field "name": must not be empty/],
  ['a class with a bad color', (p) => D.addClass(p.doc, { name: 'x', color: 'red' }),
    (p, m) => withField(m.classes, p.cls, 'color', 'red'), /bad field "color": must look like #rrggbb/],
  ['a two-line tag', (p) => D.setTag(p.doc, p.item, 'a\nb', true),
    (p, m) => m.tags.set(D.tagKey(p.item, 'a\nb'), true), /bad tag: must be a single line of text/],
  ['a tag over 100 characters', (p) => D.setTag(p.doc, p.item, 't'.repeat(101), true),
    (p, m) => m.tags.set(D.tagKey(p.item, 't'.repeat(101)), true), /bad tag: is longer than 100 characters/],
  ['a run with a fractional count', (p) => D.addRun(p.doc, { name: 'r2', model: 'm', blob, count: 1.5 }, by),
    (p, m) => withField(m.runs, p.run, 'count', 1.5), /bad field "count": must be a whole number/],
  ['a run with a model name over 200 characters', (p) => D.addRun(p.doc, { name: 'r2', model: 'm'.repeat(201), blob, count: 1 }, by),
    (p, m) => withField(m.runs, p.run, 'model', 'm'.repeat(201)), /bad field "model": is longer than 200 characters/],
  ['a version with a description over 10,000 characters', (p) => {
    D.addClass(p.doc, { name: 'bus' })
    return D.createVersion(p.doc, { name: 'v2', description: 'd'.repeat(10_001) }, by)
  }, (p, m) => withField(m.versions, p.version.id, 'description', 'd'.repeat(10_001)), /bad field "description": is longer than 10000 characters/],
]

describe('the domain and the server refuse the same records', () => {
  test.each(cases)('%s', (_, domainWrite, clientWrite, serverReason) => {
    const domain = project()
    expect(() => domainWrite(domain)).toThrow(D.ValidationError)
    const server = project()
    const room = D.newProjectDoc()
    Y.applyUpdate(room, Y.encodeStateAsUpdate(server.doc))
    expect(findRecordProblem(room, rawUpdate(server, (m) => clientWrite(server, m)))).toMatch(serverReason)
  })

  test('the domain names the field and the value it refused', () => {
    const p = project()
    expect(() => D.addItem(p.doc, { ...image('b'), mime: 'text/html' }, by)).toThrow('Item mime must be an image type, got "text/html"')
  })

  test('the REST API refuses a project name the domain refuses, in the same words', async () => {
    expect(() => D.createProject({ name: ' ' })).toThrow('Project name must not be empty')
    const server = await startTestServer()
    try {
      const res = await api(server.url, 'POST', '/api/projects', 'admin-secret', { name: ' ' })
      expect(res.status).toBe(400)
      expect(res.json).toEqual({ error: 'Project name must not be empty' })
      expect((await api(server.url, 'GET', '/api/projects', 'admin-secret')).json).toEqual({ projects: [] })
    } finally {
      await server.close()
    }
  })
})
