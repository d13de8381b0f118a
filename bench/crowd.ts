import net from 'node:net'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import * as D from '../src/domain/index.ts'
import { peakRssMB, startSampler, summary } from './sampler.ts'
import { median } from './stats.ts'

/** A room the crowd joins, with the editor token its people share (one share link per team). */
export interface CrowdRoom { id: string, token: string }

/** How a crowd runs: `perRoom` people in each room, each making `rate` edits per second for `seconds`. */
export interface CrowdOptions { url: string, pid: number, rooms: CrowdRoom[], perRoom: number, rate: number, seconds: number }

/** One person with the project open: a stock provider with presence on, as the app connects. */
export interface Person {
  actor: D.Actor
  room: string
  doc: Y.Doc
  provider: WebsocketProvider
  /** The local port of its current connection, by which a balancer tells which server it reached. */
  localPort(): number | undefined
  /** Every connection the server (or the provider's watchdog, code 0) closed. */
  closes: Array<{ code: number, reason: string }>
  disconnects: number
  /** Presence changes from others this client applied (each one the stock provider also echoes). */
  presenceApplied: number
  /** Labels this person drew, so later edits can move them. */
  drawn: D.LabelId[]
}

/** The image and class everyone in a room labels. */
export interface Target { itemId: D.ItemId, classId: D.ClassId }

/** Set when the bench disconnects everyone itself, so that those closes are not counted. */
export interface Leaving { now: boolean }

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Waits for `check` up to a limit and says whether it held: a crowd that never settles is a finding, not a crash. */
export const settle = async (check: () => boolean, timeoutMs: number): Promise<boolean> => {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) return false
    await sleep(20)
  }
  return true
}

/** The `p` quantile (0–1) of a list, NaN when empty. */
export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN
}

/** The machine's load average samples as a table cell, median / largest. */
export const loadText = (load: number[]): string => `${tenths(median(load))} / ${tenths(Math.max(...load, 0))}`

/** A latency rounded to 0.1 ms for a table. */
export const tenths = (ms: number): number => Math.round(ms * 10) / 10

// The stock WebSocket (the `ws` package) that hands over its TCP socket, which the stock provider keeps private.
const telling = (onSocket: (socket: net.Socket) => void): new (url: string, protocols?: string | string[]) => WebSocket => class extends WebSocket {
  constructor (url: string, protocols?: string | string[]) {
    const connect = (options: net.TcpNetConnectOpts): net.Socket => {
      // As `ws` does: its `path` is the request's, not a unix socket's.
      const socket = net.connect({ ...options, path: undefined } as net.TcpNetConnectOpts)
      onSocket(socket)
      return socket
    }
    super(url, protocols, { createConnection: connect as typeof net.createConnection })
  }
}

/** One person joins `room` through `url`. */
export const join = (url: string, room: CrowdRoom, name: string, leaving: Leaving): Person => {
  const doc = new Y.Doc({ gc: false })
  let socket: net.Socket | null = null
  // No BroadcastChannel: in one Node process it would carry edits between clients past the server.
  const provider = new WebsocketProvider(`${url.replace(/^http/, 'ws')}/sync`, room.id, doc, {
    params: { token: room.token }, disableBc: true,
    WebSocketPolyfill: telling((s) => void (socket = s)) as unknown as typeof globalThis.WebSocket,
  })
  // What the app's Presence.publish sets for someone on latest.
  provider.awareness.setLocalStateField('user', { name, viewing: 'Latest' })
  const person: Person = {
    actor: { id: `bench-${name}`, name }, room: room.id, doc, provider, localPort: () => socket?.localPort,
    closes: [], disconnects: 0, presenceApplied: 0, drawn: [],
  }
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
const edit = (p: Person, { itemId, classId }: Target, n: number): D.LabelId => {
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

/** Whether `p`'s presence list shows every one of the clients `ids` (Yjs client ids). */
export const seesClients = (p: Person, ids: readonly number[]): boolean => {
  const states = p.provider.awareness.getStates()
  return ids.every((id) => typeof states.get(id)?.user === 'object')
}

/** Whether `p`'s presence list shows every one of `members`. */
export const seesEveryone = (p: Person, members: Person[]): boolean => seesClients(p, members.map((m) => m.doc.clientID))

/** Each person's edits as the Yjs clock after each one: a peer has an edit when its state for that client reaches it. */
export const missingEdits = (people: Person[], clocks: ReadonlyMap<number, readonly number[]>): number => people.reduce((sum, p) => {
  const has = Y.decodeStateVector(Y.encodeStateVector(p.doc))
  return sum + [...clocks].reduce((n, [client, after]) => n + after.filter((clock) => (has.get(client) ?? 0) < clock).length, 0)
}, 0)

/** The first person of each room adds the class and the image everyone labels; waits (30 s at most) until everyone has them. */
export const placeTargets = async (rooms: CrowdRoom[], people: Person[]): Promise<Map<string, Target>> => {
  const targets = new Map(rooms.map((room) => {
    const first = people.find((p) => p.room === room.id) as Person
    return [room.id, {
      classId: D.addClass(first.doc, { name: 'object' }),
      itemId: D.addItem(first.doc, { name: 'bench.png', blob: 'f'.repeat(64), mime: 'image/png', width: 1000, height: 1000 }, first.actor),
    }]
  }))
  await settle(() => people.every((p) => D.maps(p.doc).items.has(targets.get(p.room)?.itemId as D.ItemId)), 30_000)
  return targets
}

/**
 * Stamps every edit `label@at` with its send time (and a `tag` of the caller's); each peer that
 * applies it reports the delay to `delivered`.
 */
export const trackDeliveries = <T>(people: Person[], delivered: (ms: number, tag: T, to: Person) => void): { sent(from: Person, label: D.LabelId, tag: T): void } => {
  const sentAt = new Map<string, { at: number, tag: T }>()
  observeEdits(people, (key, to) => {
    const sent = sentAt.get(key)
    if (sent !== undefined) delivered(performance.now() - sent.at, sent.tag, to)
  })
  return { sent: (from, label, tag) => void sentAt.set(editKey(from.doc, label), { at: performance.now(), tag }) }
}

/** What names one edit of a label in every replica: the label and the time it was written at. */
export const editKey = (doc: Y.Doc, label: string): string => `${label}@${D.maps(doc).labels.get(label)?.at ?? ''}`

/** Calls `applied` with each edit's key as each of `people` applies another client's edit. */
export const observeEdits = (people: Person[], applied: (key: string, to: Person) => void): void => {
  for (const p of people) {
    D.maps(p.doc).labels.observe((event, tr) => {
      if (tr.local) return
      for (const key of event.keysChanged) applied(editKey(p.doc, key), p)
    })
  }
}

/**
 * Where `people` sit in a crowd split over threads: the first one's index in the whole crowd,
 * the crowd's size, and how long (ms) until the crowd's first edit.
 */
export interface Slots { first: number, of: number, inMs: number }

/**
 * Everyone edits `rate` times a second, spread over one period so that a room's edits arrive
 * steadily rather than in bursts (over the whole crowd's period when `slots` says where these people sit).
 */
export const startEditing = (people: Person[], targets: Map<string, Target>, rate: number, made: (p: Person, label: D.LabelId) => void, slots?: Slots): { stop(): void, skipped(): number } => {
  let skipped = 0
  const period = 1000 / rate
  const timers: NodeJS.Timeout[] = []
  const { first, of, inMs } = slots ?? { first: 0, of: people.length, inMs: 0 }
  people.forEach((p, i) => {
    const target = targets.get(p.room) as Target
    let n = 0
    timers.push(setTimeout(() => timers.push(setInterval(() => {
      // Someone whose connection was refused before the image arrived has nothing to label.
      if (!D.maps(p.doc).items.has(target.itemId)) return void skipped++
      made(p, edit(p, target, n++))
    }, period)), inMs + ((first + i) * period) / of))
  })
  return { stop: () => timers.forEach((t) => clearInterval(t)), skipped: () => skipped }
}

/** The closes clients saw, by code, as a table cell; and how many people were closed at least once. */
export const closesSeen = (people: Array<Pick<Person, 'closes'>>): { text: string, closedPeople: number } => {
  const closes = new Map<number, { n: number, reason: string }>()
  for (const { code, reason } of people.flatMap((p) => p.closes)) closes.set(code, { n: (closes.get(code)?.n ?? 0) + 1, reason })
  const text = closes.size === 0 ? 'none' : [...closes].map(([code, { n, reason }]) => `${code === 0 ? 'watchdog' : code} × ${n} ("${reason}")`).join(', ')
  return { text, closedPeople: people.filter((p) => p.closes.length > 0).length }
}

/** Presence changes all `people` have applied so far. */
export const presenceApplied = (people: Person[]): number => people.reduce((sum, p) => sum + p.presenceApplied, 0)

/** Everyone leaves: providers and documents destroyed. */
export const leave = (people: Person[], leaving: Leaving): void => {
  leaving.now = true
  for (const p of people) p.provider.destroy()
  for (const p of people) p.doc.destroy()
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
  const targets = await placeTargets(o.rooms, people)

  const latencies: number[] = []
  const deliveries = trackDeliveries<null>(people, (ms) => void latencies.push(ms))
  const editsIn = new Map(o.rooms.map((room) => [room.id, 0]))
  // The clients' own CPU too: when this one process nears a full core, latency is the clients' queue, not the server's.
  const sampler = startSampler({ server: { pid: o.pid } })
  const presenceBefore = presenceApplied(people)
  const editStart = performance.now()
  const editing = startEditing(people, targets, o.rate, (p, label) => {
    deliveries.sent(p, label, null)
    editsIn.set(p.room, (editsIn.get(p.room) ?? 0) + 1)
  })
  await sleep(o.seconds * 1000)
  editing.stop()
  const expected = [...editsIn].reduce((sum, [room, edits]) => sum + edits * ((membersOf.get(room)?.length ?? 1) - 1), 0)
  await settle(() => latencies.length >= expected, 30_000)
  const editWall = (performance.now() - editStart) / 1000
  const presenceRate = (presenceApplied(people) - presenceBefore) / editWall
  const { samples, loop, load } = sampler.stop()
  const presenceComplete = await settle(() => people.every((p) => seesEveryone(p, membersOf.get(p.room) ?? [])), 20_000)
  const runFor = (performance.now() - joinStart - joinMs) / 1000
  const peak = peakRssMB(o.pid)
  leaving.now = true

  const { text: closeText, closedPeople } = closesSeen(people)
  const disconnects = people.reduce((sum, p) => sum + p.disconnects, 0)
  const missing = Math.max(0, expected - latencies.length)
  const seeing = people.filter((p) => seesEveryone(p, membersOf.get(p.room) ?? [])).length
  if (closedPeople > 0) failures.push(`${closedPeople} of ${people.length} honest clients were closed (${closeText})`)
  if (editing.skipped() > 0) failures.push(`${editing.skipped()} edits not made: the client never received the image to label`)
  if (missing > 0) failures.push(`${missing} of ${expected} edit deliveries missing`)
  if (!presenceComplete) failures.push(`only ${seeing} of ${people.length} presence lists show the whole room`)
  leave(people, leaving)
  const server = summary(samples.server)

  return {
    figures: {
      'clients': people.length,
      'rooms × clients per room': `${o.rooms.length} × ${o.perRoom}`,
      'edits per client per second': o.rate,
      'everyone joined and synced (ms)': Math.round(joinMs),
      'run length after everyone joined (s)': Math.round(runFor),
      'edits sent': [...editsIn.values()].reduce((a, b) => a + b, 0),
      'edits not made (image never arrived)': editing.skipped(),
      'edit deliveries expected': expected,
      'edit deliveries missing': missing,
      'updates relayed per second': Math.round(latencies.length / editWall),
      'presence updates applied by clients per second (each echoed back)': Math.round(presenceRate),
      'edit-to-peer latency p50 (ms)': tenths(percentile(latencies, 0.5)),
      'edit-to-peer latency p99 (ms)': tenths(percentile(latencies, 0.99)),
      'server CPU, median of 5 s windows (% of one core)': server.cpu,
      'server RSS, median of 5 s samples (MB)': server.rss,
      'server peak RSS (MB)': Math.round(peak),
      "all clients' process CPU, median of 5 s windows (% of one core)": summary(samples.bench).cpu,
      "all clients' event-loop delay p50 / p99 / max (ms)": `${loop.p50} / ${loop.p99} / ${loop.max}`,
      'load average (1 min) during the run, median / largest': loadText(load),
      'close codes seen by clients': closeText,
      'clients closed': closedPeople,
      'disconnects': disconnects,
      'presence lists showing the whole room': `${seeing} of ${people.length}`,
    },
    failures,
  }
}
