import { afterEach, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import * as D from '../../src/domain/index.ts'
import { buildReference } from '../../bench/reference.ts'
import {
  type Client, connectClient, createProject, issueToken, spawnServer, synced, syncFrame, tempDir, waitFor,
} from './harness.ts'
import { nonReadingSocket, rssOf } from './slowReader.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const MiB = 1024 * 1024

/** A server process holding a project of `items` reference items, and a token of each role. */
const serverWithProject = async (items: number, env: Record<string, string> = {}) => {
  const { url, child } = await spawnServer(tempDir(), 0, env)
  cleanup.push(() => void child.kill('SIGKILL'))
  const project = await createProject(url, 'Big')
  const viewer = (await issueToken(url, project.id, project.token, 'viewer')).token
  const uploader = connectClient(url, project.id, project.token, buildReference(items, 0).doc)
  cleanup.push(() => uploader.provider.destroy())
  await synced(uploader, 30_000)
  const check = client(url, project.id, viewer)
  await synced(check, 30_000)
  await waitFor(() => D.maps(check.doc).items.size === items, 30_000, 'the project reaches a fresh client')
  return { url, pid: child.pid ?? 0, project, viewer, size: Y.encodeStateAsUpdate(uploader.doc).length }
}

const client = (url: string, projectId: string, token: string): Client => {
  const c = connectClient(url, projectId, token)
  cleanup.push(() => c.provider.destroy())
  return c
}

/** Peak RSS of `pid` while `work` runs, sampled every 20 ms. */
const peakRss = async (pid: number, work: () => Promise<void>): Promise<number> => {
  let peak = rssOf(pid)
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20)
  try {
    await work()
  } finally {
    clearInterval(timer)
  }
  return Math.max(peak, rssOf(pid))
}

/** An editor and a reader; the editor adds `count` classes, the reader must get them all. */
const honestTraffic = async (url: string, projectId: string, owner: string, viewer: string, count: number): Promise<Client[]> => {
  const editor = client(url, projectId, owner)
  const reader = client(url, projectId, viewer)
  await Promise.all([synced(editor, 30_000), synced(reader, 30_000)])
  for (let i = 0; i < count; i++) {
    D.addClass(editor.doc, { name: `while slow ${i}` })
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await waitFor(() => D.maps(reader.doc).classes.size === 10 + count, 20_000, 'every edit reaches the honest reader')
  return [editor, reader]
}

describe('a client that stops reading', () => {
  test('a thousand sync step 1s from a socket that never reads cost one answer, not a thousand; honest clients keep syncing', async () => {
    const { url, pid, project, viewer, size } = await serverWithProject(10_000)
    expect(size).toBeGreaterThan(2 * MiB)
    const before = rssOf(pid)
    const peak = await peakRss(pid, async () => {
      const slow = nonReadingSocket(url, `/sync/${project.id}?token=${viewer}`)
      cleanup.push(() => slow.destroy())
      await slow.opened
      const step1 = syncFrame(0, new Uint8Array([0]))
      for (let i = 0; i < 1000; i++) slow.send(step1)
      const honest = await honestTraffic(url, project.id, project.token, viewer, 20)
      expect(honest.flatMap((c) => c.closes)).toEqual([])
    })
    // Without the cap this was the whole document a thousand times over (gigabytes).
    console.log(`step-1 flood: server RSS +${((peak - before) / MiB).toFixed(1)} MiB (document ${(size / MiB).toFixed(1)} MiB)`)
    expect(peak - before).toBeLessThan(64 * MiB)
  }, 120_000)

  test('a reader whose backlog passes the cap is closed with 4508 while honest readers get everything', async () => {
    const { url, project, viewer } = await serverWithProject(2_000, { STRATA_MAX_QUEUED_BYTES: String(4 * MiB) })
    const slow = nonReadingSocket(url, `/sync/${project.id}?token=${viewer}`)
    cleanup.push(() => slow.destroy())
    await slow.opened
    const editor = client(url, project.id, project.token)
    const reader = client(url, project.id, viewer)
    await Promise.all([synced(editor), synced(reader)])
    let metrics = ''
    const scrape = setInterval(() => void fetch(`${url}/metrics`).then(async (r) => (metrics = await r.text())), 100)
    cleanup.push(() => clearInterval(scrape))
    // 60 imports of 1,000 items each: ~20 MiB relayed to every reader, past the 4 MiB cap and the kernel's buffers.
    for (let round = 0; round < 60; round++) {
      editor.doc.transact(() => {
        for (let i = 0; i < 1000; i++) {
          D.addItem(editor.doc, { name: `more_${round}_${i}_${'x'.repeat(180)}.jpg`, blob: 'b'.repeat(64), mime: 'image/jpeg', width: 1, height: 1 }, { id: 'u', name: 'U' })
        }
      }, D.IMPORT)
      await new Promise((resolve) => setTimeout(resolve, 30))
    }
    await waitFor(() => D.maps(reader.doc).items.size === 2_000 + 60_000, 60_000, 'the honest reader gets every import')
    // The slow socket never reads, so it cannot see the close: ask the server.
    await waitFor(() => /strata_closes_total\{code="4508"\} 1/.test(metrics), 20_000, 'the slow reader is closed')
    // It is gone from the server, the four honest clients are not.
    await waitFor(() => /strata_connections 4\n/.test(metrics), 10_000, 'the slow socket is dropped')
    expect([...editor.closes, ...reader.closes]).toEqual([])
  }, 120_000)
})
