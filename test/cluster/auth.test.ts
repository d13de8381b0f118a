import { describe, expect, test, vi } from 'vitest'
import { Close, Reason } from '../../src/wire.ts'
import { api, createProject, issueToken, rawSocket, waitFor } from '../server/harness.ts'
import { CONVERGE_MS, SLOW, allSynced, useCluster } from './cluster.ts'

const cluster = useCluster()

const refusedBeforeAnyByte = async (base: string, route: string): Promise<{ code: number, reason: string }> => {
  const raw = await rawSocket(base, route)
  const closed = await raw.closed
  expect(closed.before, `${base}${route}`).toBe(0)
  return { code: closed.code, reason: closed.reason }
}

describe('tokens and roles on every process', () => {
  test('a token issued through one process works on the others; wrong tokens are refused everywhere before any byte', async () => {
    const servers = await Promise.all([cluster.server(), cluster.server(), cluster.server()])
    const [a, b, c] = servers as [typeof servers[0], typeof servers[0], typeof servers[0]]
    const project = await createProject(a.url, 'Tokens')
    const other = await createProject(b.url, 'Other')
    const editor = await issueToken(a.url, project.id, project.token, 'editor')
    for (const s of [b, c]) expect((await api(s.url, 'GET', `/api/projects/${project.id}`, editor.token)).status).toBe(200)
    const onB = cluster.client(b.url, project.id, editor.token, 'on-b')
    const onC = cluster.client(c.url, project.id, editor.token, 'on-c')
    await allSynced([onB, onC])
    onB.doc.getMap('scratch').set('from-b', 1)
    await waitFor(() => onC.doc.getMap('scratch').get('from-b') === 1, CONVERGE_MS, 'edit from B on C')

    for (const s of servers) {
      expect(await refusedBeforeAnyByte(s.url, `/sync/${project.id}`)).toEqual({ code: Close.UNAUTHORISED, reason: Reason.UNAUTHORISED })
      expect(await refusedBeforeAnyByte(s.url, `/sync/${project.id}?token=st_not-a-real-token`)).toEqual({ code: Close.UNAUTHORISED, reason: Reason.UNAUTHORISED })
      expect((await refusedBeforeAnyByte(s.url, `/sync/${project.id}?token=${other.token}`)).code).toBe(Close.FORBIDDEN)
    }
  }, SLOW)

  test('a viewer on one process cannot change the document an editor on another sees, and is told so', async () => {
    const [a, b, c] = await Promise.all([cluster.server(), cluster.server(), cluster.server()])
    const project = await createProject(a!.url, 'Viewers')
    const viewer = await issueToken(a!.url, project.id, project.token, 'viewer')
    // The stock client prints the refusal; the test reads it off the socket instead.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    cluster.defer(() => warn.mockRestore())
    const reader = cluster.client(b!.url, project.id, viewer.token, 'viewer')
    const editorOnB = cluster.client(b!.url, project.id, project.token, 'editor-b')
    const editorOnC = cluster.client(c!.url, project.id, project.token, 'editor-c')
    await allSynced([reader, editorOnB, editorOnC])

    reader.doc.getMap('scratch').set('viewer-edit', 'nope')
    await waitFor(() => reader.denied.length > 0, CONVERGE_MS, 'permission denied')
    expect(reader.denied).toEqual([Reason.READ_ONLY])
    // B handles a room's messages in order: an edit after the refusal reaching C means the viewer's had its chance.
    editorOnB.doc.getMap('scratch').set('after-viewer', 1)
    await waitFor(() => editorOnC.doc.getMap('scratch').get('after-viewer') === 1, CONVERGE_MS, 'the editor edit on C')
    expect(editorOnC.doc.getMap('scratch').has('viewer-edit')).toBe(false)
    expect(editorOnB.doc.getMap('scratch').has('viewer-edit')).toBe(false)
    const fresh = cluster.client(a!.url, project.id, project.token, 'fresh')
    await allSynced([fresh])
    await waitFor(() => fresh.doc.getMap('scratch').get('after-viewer') === 1, CONVERGE_MS, 'the log on A')
    expect(fresh.doc.getMap('scratch').toJSON()).toEqual({ 'after-viewer': 1 })
  }, SLOW)

  test('revoking a token through one process closes its live connection on another and refuses it on a third', async () => {
    const [a, b, c] = await Promise.all([cluster.server(), cluster.server(), cluster.server()])
    const project = await createProject(a!.url, 'Revoke')
    const editor = await issueToken(a!.url, project.id, project.token, 'editor')
    const live = cluster.client(c!.url, project.id, editor.token, 'live')
    const owner = cluster.client(b!.url, project.id, project.token, 'owner')
    await allSynced([live, owner])

    expect((await api(a!.url, 'DELETE', `/api/projects/${project.id}/tokens/${editor.id}`, project.token)).status).toBe(204)
    await waitFor(() => live.closes.length > 0, CONVERGE_MS, 'revoked connection closed on C')
    expect(live.closes).toEqual([{ code: Close.UNAUTHORISED, reason: Reason.REVOKED }])
    expect(await refusedBeforeAnyByte(b!.url, `/sync/${project.id}?token=${editor.token}`)).toEqual({ code: Close.UNAUTHORISED, reason: Reason.UNAUTHORISED })
    expect((await api(b!.url, 'GET', `/api/projects/${project.id}`, editor.token)).status).toBe(401)
    expect(owner.closes).toEqual([])
  }, SLOW)

  test('a token revoked while Redis is away is still closed on the other processes, which re-read their tokens', async () => {
    const [a, c] = await Promise.all([cluster.server(), cluster.server()])
    const project = await createProject(a!.url, 'Revoke without Redis')
    const editor = await issueToken(a!.url, project.id, project.token, 'editor')
    const live = cluster.client(c!.url, project.id, editor.token, 'live')
    await allSynced([live])

    await cluster.services.redis.kill()
    cluster.defer(() => cluster.services.restartRedis('kill'))
    expect((await api(a!.url, 'DELETE', `/api/projects/${project.id}/tokens/${editor.id}`, project.token)).status).toBe(204)
    await waitFor(() => live.closes.length > 0, CONVERGE_MS, 'revoked connection closed on C without Redis')
    expect(live.closes).toEqual([{ code: Close.UNAUTHORISED, reason: Reason.REVOKED }])
    expect(await refusedBeforeAnyByte(c!.url, `/sync/${project.id}?token=${editor.token}`)).toEqual({ code: Close.UNAUTHORISED, reason: Reason.UNAUTHORISED })
  }, SLOW)
})
