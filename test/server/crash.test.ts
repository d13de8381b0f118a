import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { openSqliteStorage } from '../../sync-server/storage/sqlite.ts'
import { type Client, connectClient, converged, createProject, spawnServer, synced, tempDir, waitFor } from './harness.ts'

const children: Array<{ kill: (s: NodeJS.Signals) => boolean }> = []
afterAll(() => { for (const c of children) c.kill('SIGKILL') })

// What the log on disk holds right now, as a document.
const logged = async (dataDir: string, id: string): Promise<Y.Doc> => {
  const storage = openSqliteStorage(path.join(dataDir, 'strata.sqlite'))
  const doc = new Y.Doc({ gc: false })
  for (const row of await storage.readLog(id)) Y.applyUpdate(doc, row.data)
  await storage.close()
  return doc
}

describe('crash safety', () => {
  test('kill -9 while clients edit: everything relayed was logged, and after a restart all edits converge', async () => {
    const dataDir = tempDir()
    const first = await spawnServer(dataDir)
    children.push(first.child)
    const { id, token } = await createProject(first.url)
    const clients: Client[] = [0, 1, 2].map(() => connectClient(first.url, id, token))
    await Promise.all(clients.map((c) => synced(c)))
    const authored = clients.map(() => new Set<string>())
    let round = 0
    const timer = setInterval(() => {
      round++
      clients.forEach((c, i) => {
        const key = `c${i}-${round}`
        authored[i]!.add(key)
        c.doc.getMap('scratch').set(key, round)
      })
    }, 10)
    await new Promise((r) => setTimeout(r, 700))

    first.child.kill('SIGKILL')
    await new Promise((r) => first.child.once('exit', r))
    await new Promise((r) => setTimeout(r, 100))
    clearInterval(timer)

    // A client can only have received a peer's edit through the server, after it was logged.
    const log = (await logged(dataDir, id)).getMap('scratch')
    clients.forEach((c, i) => {
      const relayed = [...c.doc.getMap('scratch').keys()].filter((k) => !authored[i]!.has(k))
      expect(relayed.length).toBeGreaterThan(0)
      for (const key of relayed) expect(log.has(key), key).toBe(true)
    })

    const second = await spawnServer(dataDir, Number(new URL(first.url).port))
    children.push(second.child)
    const all = new Set(authored.flatMap((s) => [...s]))
    await waitFor(() => converged(...clients) && clients[0]!.doc.getMap('scratch').size === all.size, 15_000, 'reconvergence')
    const fresh = connectClient(second.url, id, token)
    await synced(fresh)
    await waitFor(() => fresh.doc.getMap('scratch').size === all.size, 5000, 'fresh client has every edit')
    expect(converged(fresh, ...clients)).toBe(true)
    for (const c of [...clients, fresh]) c.provider.destroy()

    // SIGTERM flushes: the process exits cleanly with the room compacted into one row.
    second.child.kill('SIGTERM')
    expect(await new Promise((r) => second.child.once('exit', r))).toBe(0)
    const storage = openSqliteStorage(path.join(dataDir, 'strata.sqlite'))
    expect((await storage.readLog(id)).length).toBe(1)
    await storage.close()
    expect((await logged(dataDir, id)).getMap('scratch').size).toBe(all.size)
  })
})
