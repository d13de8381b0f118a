import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import * as D from '../src/domain/index.ts'
import { cpuSeconds, rssMB, peakRssMB } from './serverProcess.ts'
import { median } from './stats.ts'

/** A room the crowd joins, with the editor token its people share (one share link per team). */
export interface CrowdRoom { id: string, token: string }

/** How a crowd runs: `perRoom` people in each room, each making `rate` edits per second for `seconds`. */
export interface CrowdOptions { url: string, pid: number, rooms: CrowdRoom[], perRoom: number, rate: number, seconds: number }

/** One person with the project open: a stock provider with presence on, as the app connects. */
interface Person {
  actor: D.Actor
  room: string
  doc: Y.Doc
  provider: WebsocketProvider
  /** Every connection the server (or the provider's watchdog, code 0) closed. */
  closes: Array<{ code: number, reason: string }>
  disconnects: number
  /** Presence changes from others this client applied (each one the stock provider also echoes). */
  presenceApplied: number
  /** Labels this person drew, so later edits can move them. */
  drawn: D.LabelId[]
}

const SAMPLE_MS = 5_000

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

// Waits for `check` up to a limit and says whether it held: a crowd that never settles is a finding, not a crash.
const settle = async (check: () => boolean, timeoutMs: number): Promise<boolean> => {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) return false
    await sleep(20)
  }
  return true
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN
}

const join = (url: string, room: CrowdRoom, name: string, leaving: { now: boolean }): Person => {
  const doc = new Y.Doc({ gc: false })
  // No BroadcastChannel: in one Node process it would carry edits between clients past the server.
  const provider = new WebsocketProvider(`${url.replace(/^http/, 'ws')}/sync`, room.id, doc, {
    params: { token: room.token }, disableBc: true, WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
  })
  // What the app's Presence.publish sets for someone on latest.
  provider.awareness.setLocalStateField('user', { name, viewing: 'Latest' })
  const person: Person = { actor: { id: `bench-${name}`, name }, room: room.id, doc, provider, closes: [], disconnects: 0, presenceApplied: 0, drawn: [] }
  provider.on('connection-close', (event) => {
    if (!leaving.now) person.closes.push({ code: event?.code ?? 0, reason: event?.reason ?? 'no message for 30 s' })
  })
  provider.awareness.on('update', (_change: unknown, origin: unknown) => {
    if (origin !== 'local') person.presenceApplied++
  })
  provider.on('status', ({ status }) => {
    if (status === 'disconnected' && !leaving.now) person.disconnects++
  })
  return person
}

// Alternately draws a new box and moves the last one drawn: the two commonest writes, each one domain call.
const edit = (p: Person, itemId: D.ItemId, classId: D.ClassId, n: number): D.LabelId => {
  const bbox: D.BBox = [(n * 37) % 900, (n * 53) % 900, 50, 50]
  const last = p.drawn[p.drawn.length - 1]
  if (n % 2 === 1 && last !== undefined) {
    D.updateLabel(p.doc, itemId, last, { bbox }, p.actor)
    return last
  }
  const id = D.addLabel(p.doc, itemId, { classId, bbox }, p.actor)
  p.drawn.push(id)
  return id
}

const seesEveryone = (p: Person, members: Person[]): boolean => {
  const states = p.provider.awareness.getStates()
  return members.every((m) => typeof states.get(m.doc.clientID)?.user === 'object')
}

/**
 * A crowd of stock clients in `rooms`: everyone joins with presence, stays connected through
 * awareness renewals while editing at a steady rate, then every edit must have reached every
 * peer and everyone's presence list must show the whole room. Answers figures and failures.
 */
export const runCrowd = async (o: CrowdOptions): Promise<{ figures: Record<string, number | string>, failures: string[] }> => {
  const leaving = { now: false }
  const people = o.rooms.flatMap((room, r) => Array.from({ length: o.perRoom }, (_, i) => join(o.url, room, `Person ${r}.${i}`, leaving)))
  const membersOf = new Map(o.rooms.map((room) => [room.id, people.filter((p) => p.room === room.id)]))
  const failures: string[] = []
  const joinStart = performance.now()
  if (!(await settle(() => people.every((p) => p.provider.synced || p.closes.length > 0), 60_000))) failures.push('not everyone synced within 60 s')
  const joinMs = performance.now() - joinStart

  // The first person of each room adds the class and the image everyone labels.
  const targets = new Map(o.rooms.map((room) => {
    const first = membersOf.get(room.id)?.[0] as Person
    return [room.id, {
      classId: D.addClass(first.doc, { name: 'object' }),
      itemId: D.addItem(first.doc, { name: 'bench.png', blob: 'f'.repeat(64), mime: 'image/png', width: 1000, height: 1000 }, first.actor),
    }]
  }))
  await settle(() => people.every((p) => D.maps(p.doc).items.has(targets.get(p.room)?.itemId as D.ItemId)), 30_000)

  // Every edit is stamped `label@at` with its send time; a peer that applies it records the delay.
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  for (const p of people) {
    const labels = D.maps(p.doc).labels
    labels.observe((event, tr) => {
      if (tr.local) return
      const now = performance.now()
      for (const key of event.keysChanged) {
        const sent = sentAt.get(`${key}@${labels.get(key)?.at ?? ''}`)
        if (sent !== undefined) latencies.push(now - sent)
      }
    })
  }
  const editsIn = new Map(o.rooms.map((room) => [room.id, 0]))
  const cpu: number[] = []
  const rss: number[] = []
  // The clients' own CPU too: when this one process nears a full core, latency is the clients' queue, not the server's.
  const clientCpu: number[] = []
  let lastCpu = cpuSeconds(o.pid)
  let lastClientCpu = process.cpuUsage()
  const sampler = setInterval(() => {
    const now = cpuSeconds(o.pid)
    cpu.push(((now - lastCpu) / (SAMPLE_MS / 1000)) * 100)
    rss.push(rssMB(o.pid))
    lastCpu = now
    const used = process.cpuUsage(lastClientCpu)
    clientCpu.push(((used.user + used.system) / 1000 / SAMPLE_MS) * 100)
    lastClientCpu = process.cpuUsage()
  }, SAMPLE_MS)
  let skipped = 0
  const period = 1000 / o.rate
  const timers: NodeJS.Timeout[] = []
  const presenceBefore = people.reduce((sum, p) => sum + p.presenceApplied, 0)
  const editStart = performance.now()
  people.forEach((p, i) => {
    const { itemId, classId } = targets.get(p.room) as { itemId: D.ItemId, classId: D.ClassId }
    let n = 0
    // Spread over one period, so the room's edits arrive steadily rather than in bursts.
    timers.push(setTimeout(() => timers.push(setInterval(() => {
      // Someone whose connection was refused before the image arrived has nothing to label.
      if (!D.maps(p.doc).items.has(itemId)) return void skipped++
      const id = edit(p, itemId, classId, n++)
      sentAt.set(`${id}@${D.maps(p.doc).labels.get(id)?.at ?? ''}`, performance.now())
      editsIn.set(p.room, (editsIn.get(p.room) ?? 0) + 1)
    }, period)), (i * period) / people.length))
  })
  await sleep(o.seconds * 1000)
  for (const t of timers) clearInterval(t)
  const expected = [...editsIn].reduce((sum, [room, edits]) => sum + edits * ((membersOf.get(room)?.length ?? 1) - 1), 0)
  await settle(() => latencies.length >= expected, 30_000)
  const editWall = (performance.now() - editStart) / 1000
  const presenceRate = (people.reduce((sum, p) => sum + p.presenceApplied, 0) - presenceBefore) / editWall
  clearInterval(sampler)
  const presenceComplete = await settle(() => people.every((p) => seesEveryone(p, membersOf.get(p.room) ?? [])), 20_000)
  const runFor = (performance.now() - joinStart - joinMs) / 1000
  const peak = peakRssMB(o.pid)
  leaving.now = true

  const closes = new Map<number, { n: number, reason: string }>()
  for (const { code, reason } of people.flatMap((p) => p.closes)) closes.set(code, { n: (closes.get(code)?.n ?? 0) + 1, reason })
  const closedPeople = people.filter((p) => p.closes.length > 0).length
  const disconnects = people.reduce((sum, p) => sum + p.disconnects, 0)
  const missing = Math.max(0, expected - latencies.length)
  const seeing = people.filter((p) => seesEveryone(p, membersOf.get(p.room) ?? [])).length
  const closeText = closes.size === 0 ? 'none' : [...closes].map(([code, { n, reason }]) => `${code === 0 ? 'watchdog' : code} × ${n} ("${reason}")`).join(', ')
  if (closedPeople > 0) failures.push(`${closedPeople} of ${people.length} honest clients were closed (${closeText})`)
  if (skipped > 0) failures.push(`${skipped} edits not made: the client never received the image to label`)
  if (missing > 0) failures.push(`${missing} of ${expected} edit deliveries missing`)
  if (!presenceComplete) failures.push(`only ${seeing} of ${people.length} presence lists show the whole room`)
  for (const p of people) p.provider.destroy()
  for (const p of people) p.doc.destroy()

  return {
    figures: {
      'clients': people.length,
      'rooms × clients per room': `${o.rooms.length} × ${o.perRoom}`,
      'edits per client per second': o.rate,
      'everyone joined and synced (ms)': Math.round(joinMs),
      'run length after everyone joined (s)': Math.round(runFor),
      'edits sent': [...editsIn.values()].reduce((a, b) => a + b, 0),
      'edits not made (image never arrived)': skipped,
      'edit deliveries expected': expected,
      'edit deliveries missing': missing,
      'updates relayed per second': Math.round(latencies.length / editWall),
      'presence updates applied by clients per second (each echoed back)': Math.round(presenceRate),
      'edit-to-peer latency p50 (ms)': Math.round(percentile(latencies, 0.5) * 10) / 10,
      'edit-to-peer latency p99 (ms)': Math.round(percentile(latencies, 0.99) * 10) / 10,
      'server CPU, median of 5 s windows (% of one core)': Math.round(median(cpu)),
      'server RSS, median of 5 s samples (MB)': Math.round(median(rss)),
      'server peak RSS (MB)': Math.round(peak),
      "all clients' process CPU, median of 5 s windows (% of one core)": Math.round(median(clientCpu)),
      'close codes seen by clients': closeText,
      'clients closed': closedPeople,
      'disconnects': disconnects,
      'presence lists showing the whole room': `${seeing} of ${people.length}`,
    },
    failures,
  }
}
