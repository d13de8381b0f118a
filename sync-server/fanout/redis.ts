import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { Appended } from '../storage/types.ts'
import type { Fanout, RoomPeer } from './types.ts'

/**
 * The fan-out over Redis 7. Rows go on one Redis Stream per room (`XADD`, read with blocking
 * `XREAD` by every process that holds the room), so each process hears a room's rows in one
 * order, and a process that reconnects reads on from where it was. Presence goes over pub/sub:
 * it is not logged, and clients renew it every 15 s, so a lost message costs nothing lasting.
 *
 * Nothing here is the truth: a row is on the stream only after it is in PostgreSQL. Streams
 * are trimmed, and lost when Redis restarts (it runs without persistence); rooms tell a gap by
 * each row's `prev` and read the log, and after a reconnect every room reads the log once.
 */

/** Rows bigger than this travel as a notice; the rooms read them from the log. Keeps Redis small. */
const INLINE_BYTES = 64 * 1024
/** Entries kept per room stream (approximately): a process further behind reads the log. */
const STREAM_LENGTH = 256
/** A stream nobody writes to goes after an hour. */
const STREAM_TTL_MS = 60 * 60 * 1000
/** How long one blocking read waits before it looks again at which rooms it reads. */
const BLOCK_MS = 5000
/** How much longer than that a read may take before the reader is taken for stuck. */
const STALL_MS = 10_000
const CONTROL = 'strata:control'
/**
 * Bytes of relays sent to Redis and not yet answered. A Redis that stalls while connected would
 * otherwise hold every relay in this process's memory; past the cap relays are skipped, and the
 * other processes find those rows by their gaps or on their next read of the log.
 */
const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024

const streamKey = (room: string): string => `strata:room:${room}:log`
const presenceChannel = (room: string): string => `strata:room:${room}:presence`
const roomOfChannel = (channel: string): string | null => /^strata:room:(.+):presence$/.exec(channel)?.[1] ?? null

const PRESENCE = 0
const ASK = 1

interface Joined { peer: RoomPeer, lastId: string }

/** Connects to Redis at `url`; resolves once the three connections are up. */
export const openRedisFanout = async (url: string, hooks: { log(msg: string): void }): Promise<Fanout> => {
  const me = randomUUID()
  // No offline queue: while Redis is away, commands fail at once instead of piling up in memory.
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, keepAlive: 10_000, retryStrategy: (n: number) => Math.min(1000, 50 * n) }
  const cmd = new Redis(url, options)
  const reader = new Redis(url, options)
  const sub = new Redis(url, { ...options, autoResubscribe: false })
  const rooms = new Map<string, Joined>()
  // The blocking read also reads this process's own wake stream: a line on it ends the read at
  // once, so a room joined or left is read from without delay (CLIENT UNBLOCK, sent over another
  // connection, could arrive before the read it meant to end).
  const wakeKey = `strata:process:${me}:wake`
  let wakeId = '$'
  let closed = false
  let wake: (() => void) | null = null
  /** Which connections closed since they were last ready. */
  const lost = new Set<string>()
  let onRevoked = (_projectId: string, _tokenId: string): void => undefined
  let inFlight = 0
  /** Sends a command unless Redis is away or too much is unanswered already; failures are logged, never thrown. */
  const send = (bytes: number, what: string, command: () => Promise<unknown>): void => {
    if (cmd.status !== 'ready' || inFlight + bytes > MAX_IN_FLIGHT_BYTES) return
    inFlight += bytes
    void command().catch((e: unknown) => hooks.log(`redis: could not relay ${what}: ${(e as Error).message}`)).finally(() => { inFlight -= bytes })
  }

  for (const [name, conn] of [['commands', cmd], ['reader', reader], ['subscriber', sub]] as const) {
    // Said once per outage, not once per retry.
    conn.on('error', (e: Error) => { if (!lost.has(name)) hooks.log(`redis ${name}: ${e.message}`) })
    conn.on('close', () => {
      if (!lost.has(name) && !closed) hooks.log(`redis ${name}: connection lost; retrying, rooms read the log meanwhile`)
      lost.add(name)
    })
  }

  const lastIdOf = async (room: string): Promise<string> => {
    const [entry] = await cmd.xrevrange(streamKey(room), '+', '-', 'COUNT', 1)
    return entry?.[0] ?? '0-0'
  }

  // After a reconnect: read on from each stream's end, read the log once for what was missed,
  // and tell the other processes to do the same (rows this one logged meanwhile were not relayed).
  const resume = async (): Promise<void> => {
    for (const [room, joined] of rooms) {
      joined.lastId = await lastIdOf(room).catch(() => '0-0')
      joined.peer.resync()
      void cmd.xadd(streamKey(room), 'MAXLEN', '~', STREAM_LENGTH, '*', 'o', me, 'r', '1').catch(() => undefined)
    }
  }
  const reconnected = (name: string): boolean => {
    if (!lost.delete(name) || closed) return false
    hooks.log(`redis ${name}: reconnected`)
    return true
  }
  cmd.on('ready', () => { if (reconnected('commands')) void resume() })
  sub.on('ready', () => {
    if (reconnected('subscriber')) void sub.subscribe(CONTROL, ...[...rooms.keys()].map(presenceChannel)).catch(() => undefined)
  })
  reader.on('ready', () => { reconnected('reader') })

  await Promise.all([cmd.connect(), reader.connect(), sub.connect()])
  await sub.subscribe(CONTROL)
  wakeId = (await cmd.xrevrange(wakeKey, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0'

  sub.on('messageBuffer', (channelBuf: Buffer, message: Buffer) => {
    const channel = channelBuf.toString()
    if (channel === CONTROL) return control(message.toString())
    const room = roomOfChannel(channel)
    const joined = room === null ? undefined : rooms.get(room)
    if (joined === undefined) return
    try {
      const decoder = decoding.createDecoder(new Uint8Array(message))
      const kind = decoding.readVarUint(decoder)
      if (decoding.readVarString(decoder) === me) return
      if (kind === ASK) return joined.peer.presenceAsked()
      const principal = decoding.readVarString(decoder)
      joined.peer.presenceFromPeers(principal, decoding.readVarUint8Array(decoder))
    } catch (e) {
      hooks.log(`redis: dropped a malformed presence message: ${(e as Error).message}`)
    }
  })

  const control = (text: string): void => {
    try {
      const m = JSON.parse(text) as { kind?: unknown, projectId?: unknown, tokenId?: unknown }
      if (m.kind === 'revoked' && typeof m.projectId === 'string' && typeof m.tokenId === 'string') onRevoked(m.projectId, m.tokenId)
    } catch {
      hooks.log('redis: dropped a malformed control message')
    }
  }

  const interrupt = (): void => {
    wake?.()
    if (cmd.status === 'ready') void cmd.xadd(wakeKey, 'MAXLEN', '1', '*', 'w', '1').then(() => cmd.pexpire(wakeKey, STREAM_TTL_MS)).catch(() => undefined)
  }

  // A half-open connection would hang the blocking read for good while looking connected:
  // a read that has not answered well past its block time reconnects the reader.
  let readingSince: number | null = null
  const watchdog = setInterval(() => {
    if (readingSince === null || Date.now() - readingSince < BLOCK_MS + STALL_MS) return
    hooks.log('redis reader: a blocking read did not answer; reconnecting')
    readingSince = null
    reader.disconnect(true)
  }, STALL_MS / 2)
  watchdog.unref()

  const readLoop = async (): Promise<void> => {
    while (!closed) {
      if (rooms.size === 0) {
        await new Promise<void>((resolve) => { wake = resolve })
        wake = null
        continue
      }
      const names = [...rooms.keys()]
      let answer: Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null
      readingSince = Date.now()
      try {
        answer = await reader.xreadBuffer('COUNT', 500, 'BLOCK', BLOCK_MS, 'STREAMS', wakeKey, ...names.map(streamKey), wakeId, ...names.map((r) => rooms.get(r)?.lastId ?? '$')) as typeof answer
      } catch {
        readingSince = null
        if (!closed) await new Promise((resolve) => setTimeout(resolve, 200))
        continue
      }
      readingSince = null
      for (const [keyBuf, entries] of answer ?? []) {
        if (keyBuf.toString() === wakeKey) {
          wakeId = entries.at(-1)?.[0].toString() ?? wakeId
          continue
        }
        const room = /^strata:room:(.+):log$/.exec(keyBuf.toString())?.[1]
        const joined = room === undefined ? undefined : rooms.get(room)
        if (joined === undefined) continue
        for (const [idBuf, fields] of entries) {
          joined.lastId = idBuf.toString()
          deliver(joined.peer, fields)
        }
      }
    }
  }

  const deliver = (peer: RoomPeer, fields: Buffer[]): void => {
    const get = new Map<string, Buffer>()
    for (let i = 0; i + 1 < fields.length; i += 2) get.set(String(fields[i]), fields[i + 1] as Buffer)
    if (String(get.get('o')) === me) return
    if (get.has('r')) return peer.resync()
    const seq = Number(String(get.get('s')))
    const prev = Number(String(get.get('p')))
    if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(prev)) return hooks.log('redis: dropped a malformed stream entry')
    const data = get.get('d')
    peer.fromPeers({ seq, prev, update: data === undefined ? null : new Uint8Array(data) })
  }

  void readLoop()

  const publishPresence = (room: string, kind: number, principal: string | null, update: Uint8Array | null): void => {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, kind)
    encoding.writeVarString(encoder, me)
    if (principal !== null && update !== null) {
      encoding.writeVarString(encoder, principal)
      encoding.writeVarUint8Array(encoder, update)
    }
    const message = Buffer.from(encoding.toUint8Array(encoder))
    send(message.byteLength, `presence in ${room}`, () => cmd.publish(presenceChannel(room), message))
  }

  return {
    get connected () {
      return cmd.status === 'ready' && reader.status === 'ready'
    },
    join: async (room, peer) => {
      const lastId = await lastIdOf(room).catch(() => '0-0')
      rooms.set(room, { peer, lastId })
      await sub.subscribe(presenceChannel(room)).catch(() => undefined)
      interrupt()
    },
    leave: (room) => {
      if (!rooms.delete(room)) return
      void sub.unsubscribe(presenceChannel(room)).catch(() => undefined)
      interrupt()
    },
    logged: (room: string, row: Appended, update: Uint8Array) => {
      const fields: Array<string | Buffer> = ['s', String(row.seq), 'p', String(row.prev), 'o', me]
      const inline = update.byteLength <= INLINE_BYTES
      if (inline) fields.push('d', Buffer.from(update.buffer, update.byteOffset, update.byteLength))
      send(inline ? update.byteLength : 64, `a row of ${room}`, () => cmd.pipeline()
        .xadd(streamKey(room), 'MAXLEN', '~', STREAM_LENGTH, '*', ...fields)
        .pexpire(streamKey(room), STREAM_TTL_MS)
        .exec())
    },
    presence: (room, principal, update) => publishPresence(room, PRESENCE, principal, update),
    askPresence: (room) => publishPresence(room, ASK, null, null),
    revoked: (projectId, tokenId) => send(128, 'a revocation', () => cmd.publish(CONTROL, JSON.stringify({ kind: 'revoked', projectId, tokenId }))),
    onRevoked: (handler) => { onRevoked = handler },
    close: async () => {
      closed = true
      clearInterval(watchdog)
      interrupt()
      rooms.clear()
      for (const conn of [cmd, reader, sub]) conn.disconnect()
    },
  }
}
