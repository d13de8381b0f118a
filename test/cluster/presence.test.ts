import { describe, expect, test } from 'vitest'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { encodeAwareness } from '../../sync-server/protocol.ts'
import { createProject, issueToken, rawSocket, waitFor } from '../server/harness.ts'
import { type AppClient, CONVERGE_MS, SLOW, allSynced, peersSeen, sees, useCluster } from './cluster.ts'

const cluster = useCluster()

/** An awareness message, as y-protocols encodes it, saying that presence `id` is at `clock` with `state` (null: gone). */
const claim = (id: number, clock: number, state: Record<string, unknown> | null): Uint8Array => {
  const doc = new Y.Doc()
  doc.clientID = id
  const awareness = new awarenessProtocol.Awareness(doc)
  awareness.setLocalState(state ?? {})
  awareness.meta.set(id, { clock, lastUpdated: Date.now() })
  const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [id], state === null ? new Map() : awareness.states)
  awareness.destroy()
  doc.destroy()
  return encodeAwareness(update)
}

describe('presence across processes', () => {
  test('a client of another token, on another process, can neither take over nor remove someone’s presence', async () => {
    const [a, b, c] = await Promise.all([cluster.server(), cluster.server(), cluster.server()])
    const { id, token } = await createProject(a!.url, 'Impostor')
    const editor = (await issueToken(a!.url, id, token, 'editor')).token
    const viewer = (await issueToken(a!.url, id, token, 'viewer')).token
    const ada = cluster.client(a!.url, id, token, 'ada')
    const observers = [a, b, c].map((s, i) => cluster.client(s!.url, id, editor, `observer${i}`))
    await allSynced([ada, ...observers])
    await waitFor(() => observers.every((o) => sees(o, 'ada', 'Latest')), CONVERGE_MS, 'ada present everywhere')
    const X = ada.doc.clientID
    const adaState = ada.provider.awareness.getLocalState()
    const adaClock = ada.provider.awareness.meta.get(X)?.clock ?? 0

    const impostor = await rawSocket(b!.url, `/sync/${id}?token=${viewer}`)
    cluster.defer(() => impostor.ws.close())
    const Y_ID = X + 1
    // Each claim is followed by the viewer's own presence: once that is shown, the claim was dealt with.
    impostor.ws.send(claim(X, adaClock + 100, { user: { name: 'impostor', viewing: 'Latest' } }))
    impostor.ws.send(claim(Y_ID, 1, { user: { name: 'viewer', viewing: 'Latest' } }))
    const everyone: AppClient[] = [ada, ...observers]
    await waitFor(() => everyone.every((o) => sees(o, 'viewer', 'Latest')), CONVERGE_MS, 'the viewer’s own presence')
    for (const o of observers) expect(o.provider.awareness.getStates().get(X), `${o.name} shows ada as ada`).toEqual(adaState)
    expect(ada.provider.awareness.getLocalState()).toEqual(adaState)

    impostor.ws.send(claim(X, adaClock + 200, null))
    impostor.ws.send(claim(Y_ID, 2, { user: { name: 'viewer', viewing: 'v2' } }))
    await waitFor(() => everyone.every((o) => sees(o, 'viewer', 'v2')), CONVERGE_MS, 'the viewer’s next presence')
    for (const o of observers) expect(o.provider.awareness.getStates().get(X), `${o.name} still shows ada`).toEqual(adaState)
    expect(ada.provider.awareness.getLocalState()).toEqual(adaState)
    // The same removal for its own presence is taken: the claims above were refused for whose they were, not for their form.
    impostor.ws.send(claim(Y_ID, 3, null))
    await waitFor(() => everyone.every((o) => !peersSeen(o).includes('viewer')), CONVERGE_MS, 'the viewer’s presence removed')
    expect(observers.every((o) => sees(o, 'ada', 'Latest'))).toBe(true)
  }, SLOW)

  test('a process that loads the room later shows everyone already present, from the others’ answers to its ask', async () => {
    const servers = await Promise.all([cluster.server(), cluster.server(), cluster.server(), cluster.server()])
    const [late, ...holding] = servers
    const { id, token } = await createProject(holding[0]!.url, 'Late process')
    const tokens = [token, ...await Promise.all([0, 1].map(async () => (await issueToken(holding[0]!.url, id, token, 'editor')).token))]
    const people = holding.map((s, i) => cluster.client(s.url, id, tokens[i]!, `person${i}`))
    await allSynced(people)
    const names = people.map((p) => p.name)
    await waitFor(() => people.every((p) => peersSeen(p).length === names.length - 1), CONVERGE_MS, 'everyone sees everyone')
    // No renewals from now on (y-protocols renews every 15 s): what the late process shows comes from the others' answers.
    for (const p of people) clearInterval(p.provider.awareness._checkInterval)

    const newcomer = cluster.client(late!.url, id, token, 'newcomer')
    await allSynced([newcomer])
    await waitFor(() => peersSeen(newcomer).join() === names.join(), CONVERGE_MS, 'the newcomer sees everyone')
    for (const p of people) expect(newcomer.provider.awareness.getStates().get(p.doc.clientID)).toEqual(p.provider.awareness.getLocalState())
  }, SLOW)
})
