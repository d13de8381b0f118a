import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runCrowd, type CrowdRoom } from './crowd.ts'
import { serverCloses, spawnServer } from './serverProcess.ts'

/** The admin token the bench's servers start with. */
export const ADMIN = 'bench-admin'

/** One crowd the sync bench runs: `rooms` rooms of `perRoom` clients, `rate` edits per client per second. */
export interface Scenario { title: string, rooms: number, perRoom: number, rate: number, seconds: number }

// 45 s of editing covers three awareness renewals (every 15 s) and passes y-protocols' 30 s
// timeout, so a renewal that never arrives shows as a missing presence entry. Every client runs
// in this one process, so rates keep what it applies near 2,000–2,500 edits/s: at 4,500/s (2
// edits/s each for 50 clients) it saturated a core and the latency measured was its own queue.
const SCENARIOS: Scenario[] = [
  { title: '50 clients in one room', rooms: 1, perRoom: 50, rate: 1, seconds: 45 },
  { title: '200 clients in one room', rooms: 1, perRoom: 200, rate: 0.05, seconds: 45 },
  { title: '10 rooms × 20 clients', rooms: 10, perRoom: 20, rate: 0.5, seconds: 45 },
]

const post = async (url: string, route: string, token: string, body: unknown): Promise<Record<string, unknown>> => {
  const res = await fetch(url + route, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status !== 201) throw new Error(`bench: POST ${route} answered ${res.status}`)
  return await res.json() as Record<string, unknown>
}

/** A project made through the REST API, with the one editor link its people share. */
export const makeRoom = async (url: string, name: string): Promise<CrowdRoom> => {
  const project = await post(url, '/api/projects', ADMIN, { name })
  const id = String(project.id)
  const editor = await post(url, `/api/projects/${id}/tokens`, String(project.token), { role: 'editor' })
  return { id, token: String(editor.token) }
}

const runScenario = async (s: Scenario): Promise<{ figures: Record<string, number | string>, failures: string[] }> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-sync-'))
  const server = await spawnServer(dataDir, ADMIN)
  try {
    const rooms: CrowdRoom[] = []
    for (let r = 0; r < s.rooms; r++) rooms.push(await makeRoom(server.url, `Crowd ${r}`))
    const crowd = await runCrowd({ url: server.url, pid: server.pid, rooms, perRoom: s.perRoom, rate: s.rate, seconds: s.seconds })
    const closed = await serverCloses(server.url)
    crowd.figures['closes counted by the server'] = closed.size === 0 ? 'none' : [...closed].map(([code, n]) => `${code} × ${n}`).join(', ')
    crowd.figures['server log lines'] = server.log.length
    return { figures: crowd.figures, failures: crowd.failures.map((f) => `${s.title}: ${f}`) }
  } finally {
    server.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * Sync-server benchmark with crowds of stock y-websocket clients connected as the app connects
 * (presence on): 50 and 200 in one room and 10 rooms of 20, or one room of `clients` when given.
 * Each scenario gets a fresh server in a child process. A closed client, a missing edit or an
 * incomplete presence list is a failure, returned with the figures.
 */
export async function benchSync (opts: { clients?: number, seconds?: number } = {}): Promise<Array<{ title: string, figures: Record<string, number | string>, failures: string[] }>> {
  const chosen = opts.clients === undefined ? SCENARIOS : [{ title: `${opts.clients} clients in one room`, rooms: 1, perRoom: opts.clients, rate: 1, seconds: 45 }]
  // Every provider adds a process 'exit' listener; hundreds of them are expected here, not a leak.
  process.setMaxListeners(Math.max(...chosen.map((s) => s.rooms * s.perRoom)) + 20)
  const results = []
  for (const s of chosen) {
    const scenario = opts.seconds === undefined ? s : { ...s, seconds: opts.seconds }
    results.push({ title: s.title, ...await runScenario(scenario) })
  }
  return results
}
