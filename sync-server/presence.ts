import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import type * as Y from 'yjs'
import type { AwarenessEntry } from './protocol.ts'

/** Who may speak for a presence id: a connection, known by its principal. */
export interface PresenceHolder {
  /** Same key for connections opened with the same token (tabs of one device share it). */
  readonly principal: string
  /** Presence ids this connection speaks for: what it brought in or took over from a sibling. */
  readonly claimed: Set<number>
  /** When it brought ids in, over the last minute: bringing in is rate-capped too. */
  readonly broughtAt: number[]
  /** Ids of same-token connections it relayed (a second tab over BroadcastChannel): it may take them over. */
  readonly siblings: Set<number>
}

/** How much presence one connection may originate, and who hears of what connections bring in. */
export interface PresenceLimits {
  maxIdsPerConnection: number
  /** Called with what a connection's message brought in or changed (cluster mode relays it to other processes). */
  brought?: (principal: string, update: Uint8Array) => void
}

/** Ids one connection may bring in per minute: tabs of a device reloading, never a stream. */
const BROUGHT_PER_MINUTE = 32

/**
 * All presence states of a room together: a newcomer is sent all of them and its stock client
 * echoes them back in one message, which must stay under the awareness message and viewer frame
 * caps (1 MiB). A state past the budget is left out, not refused. Honest states are ~200 bytes:
 * states over 1 KiB may fill only three quarters, so a flood of big ones leaves room for people.
 */
const ROOM_PRESENCE_BYTES = 512 * 1024
const BIG_STATE = 1024

/** Forgotten this long after a presence left, so a late echo of it is still recognised as one. */
const FORGET_AFTER_MS = 60_000

/**
 * A room's presence. The stock y-websocket client re-sends every presence change it receives,
 * so an honest connection names everyone in the room; only what it brings in counts as its
 * own: a state, newer than the room's, for an id no live connection speaks for. A newer state
 * for an id a connection with the same token speaks for (a second tab of one device relays its
 * sibling's presence over BroadcastChannel) is applied but not counted, and makes the relaying
 * connection the successor when the sibling leaves. Echoes, stale entries, states for ids other
 * tokens speak for, and removals of presence nobody holds are dropped before y-protocols sees
 * them, so its per-id bookkeeping grows only with what connections bring in.
 */
export class Presence {
  readonly awareness: awarenessProtocol.Awareness
  private readonly owner = new Map<number, PresenceHolder>()
  private readonly holders = new Set<PresenceHolder>()
  private readonly sizes = new Map<number, number>()
  /** Whose presence an id was when it left, until it is forgotten: only that token may bring it back. */
  private readonly leftBy = new Map<number, string>()
  /** Whose presence an id held by another process is: only that token may take it over here. */
  private readonly elsewhere = new Map<number, string>()
  private bytes = 0
  private readonly sweep: NodeJS.Timeout
  private settling: NodeJS.Timeout | null = null
  /** What connections sent while the room settled, the latest message of each. */
  private readonly heldBack = new Map<PresenceHolder, { entries: readonly AwarenessEntry[], origin: unknown }>()

  constructor (doc: Y.Doc, private readonly limits: PresenceLimits) {
    this.awareness = new awarenessProtocol.Awareness(doc)
    // The server keeps no presence of its own: it only relays clients'.
    this.awareness.setLocalState(null)
    this.awareness.on('update', ({ removed }: { removed: number[] }) => {
      for (const id of removed) this.resize(id, 0)
    })
    this.sweep = setInterval(() => this.forgetLeft(), FORGET_AFTER_MS / 2)
    this.sweep.unref()
    doc.on('destroy', () => {
      clearInterval(this.sweep)
      if (this.settling !== null) clearTimeout(this.settling)
    })
  }

  /**
   * Applies what `from` sent: its own presence, with relayed echoes dropped. Answers a refusal
   * reason, with nothing applied, when it would originate more ids than a connection may.
   */
  receive (from: PresenceHolder, entries: readonly AwarenessEntry[], origin: unknown): string | null {
    this.holders.add(from)
    const accepted: AwarenessEntry[] = []
    const claims = new Set<number>()
    let bytes = this.bytes
    for (const entry of entries) {
      const verdict = this.judge(from, entry)
      if (verdict === 'sibling' || verdict === 'sibling-echo') from.siblings.add(entry.clientId)
      if (verdict === 'drop' || verdict === 'sibling-echo') continue
      const grows = entry.state === null ? 0 : entry.json.length - (this.sizes.get(entry.clientId) ?? 0)
      const budget = entry.json.length > BIG_STATE ? (ROOM_PRESENCE_BYTES * 3) / 4 : ROOM_PRESENCE_BYTES
      if (grows > 0 && bytes + grows > budget) continue
      bytes += grows
      accepted.push(entry)
      if (verdict === 'claim') claims.add(entry.clientId)
    }
    const fresh = [...claims].filter((id) => !from.claimed.has(id))
    if (fresh.length > 0 && this.settling !== null) {
      this.heldBack.set(from, { entries, origin })
      return null
    }
    const now = Date.now()
    while (from.broughtAt.length > 0 && now - (from.broughtAt[0] as number) > 60_000) from.broughtAt.shift()
    if (this.held(from) + fresh.length > this.limits.maxIdsPerConnection) {
      return `presence: a connection may originate at most ${this.limits.maxIdsPerConnection} client ids`
    }
    if (from.broughtAt.length + fresh.length > BROUGHT_PER_MINUTE) {
      return `presence: a connection may bring in at most ${BROUGHT_PER_MINUTE} client ids a minute`
    }
    if (accepted.length === 0) return null
    from.broughtAt.push(...fresh.map(() => now))
    for (const id of claims) {
      from.claimed.add(id)
      this.owner.set(id, from)
    }
    for (const id of claims) this.elsewhere.delete(id)
    const update = encodeEntries(accepted)
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin)
    for (const e of accepted) if (e.state !== null && this.awareness.states.has(e.clientId)) this.resize(e.clientId, e.json.length)
    this.limits.brought?.(from.principal, update)
    return null
  }

  /**
   * Presence that a connection of another process brought in (that process judged it). An id
   * is one token's wherever it was first seen: entries for an id another token holds, here or
   * elsewhere, are dropped. A process that has just loaded the room holds back its own
   * connections' new claims until the others have told it whose ids are whose (`settle`), so
   * it cannot hand a newcomer an id another process's connection speaks for. The room's
   * budget applies as to everyone.
   */
  fromPeers (principal: string, entries: readonly AwarenessEntry[], origin: unknown): void {
    const accepted: AwarenessEntry[] = []
    let bytes = this.bytes
    for (const entry of entries) {
      const { clientId } = entry
      const known = this.awareness.meta.get(clientId)?.clock ?? 0
      if (this.owner.has(clientId)) continue
      const holder = this.elsewhere.get(clientId) ?? this.leftBy.get(clientId)
      if (holder !== undefined && holder !== principal) continue
      if (entry.clock < known || (entry.clock === known && entry.state !== null)) continue
      const grows = entry.state === null ? 0 : entry.json.length - (this.sizes.get(clientId) ?? 0)
      const budget = entry.json.length > BIG_STATE ? (ROOM_PRESENCE_BYTES * 3) / 4 : ROOM_PRESENCE_BYTES
      if (grows > 0 && bytes + grows > budget) continue
      bytes += grows
      this.elsewhere.set(clientId, principal)
      accepted.push(entry)
    }
    if (accepted.length === 0) return
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeEntries(accepted), origin)
    for (const e of accepted) if (e.state !== null && this.awareness.states.has(e.clientId)) this.resize(e.clientId, e.json.length)
  }

  /**
   * Holds back new claims by connections here for `ms` (their messages are applied then, the
   * latest per connection): long enough for the other processes to answer who holds what.
   */
  settle (ms: number): void {
    this.settling = setTimeout(() => {
      this.settling = null
      const held = [...this.heldBack]
      this.heldBack.clear()
      for (const [from, { entries, origin }] of held) if (this.holders.has(from)) this.receive(from, entries, origin)
    }, ms)
    this.settling.unref()
  }

  /** The presence connections here speak for, as one update per token: what another process that joins is sent. */
  ownedByPrincipal (): Map<string, Uint8Array> {
    const ids = new Map<string, number[]>()
    for (const [id, holder] of this.owner) {
      if (this.awareness.states.has(id)) ids.set(holder.principal, [...ids.get(holder.principal) ?? [], id])
    }
    return new Map([...ids].map(([principal, list]) => [principal, awarenessProtocol.encodeAwarenessUpdate(this.awareness, list)]))
  }

  /** Presence bytes held now (the states' JSON). */
  get heldBytes (): number {
    return this.bytes
  }

  private resize (id: number, size: number): void {
    this.bytes += size - (this.sizes.get(id) ?? 0)
    if (size === 0) this.sizes.delete(id)
    else this.sizes.set(id, size)
  }

  /** Removes the presence a departing connection speaks for, unless a same-token sibling takes it over. */
  leave (holder: PresenceHolder): void {
    this.holders.delete(holder)
    this.heldBack.delete(holder)
    const gone: number[] = []
    for (const [id, owner] of this.owner) {
      if (owner !== holder) continue
      // A sibling takes it over only while it may hold one more: handovers cannot pile presence up.
      const successor = [...this.holders].find((h) => h.principal === holder.principal && (h.siblings.has(id) || h.claimed.has(id))
        && (h.claimed.has(id) || this.held(h) < this.limits.maxIdsPerConnection))
      if (successor !== undefined && this.awareness.states.has(id)) {
        this.owner.set(id, successor)
        successor.claimed.add(id)
      } else {
        this.owner.delete(id)
        this.leftBy.set(id, holder.principal)
        for (const h of this.holders) h.siblings.delete(id)
        if (this.awareness.states.has(id)) gone.push(id)
      }
    }
    awarenessProtocol.removeAwarenessStates(this.awareness, gone, null)
    if (gone.length > 0) this.limits.brought?.(holder.principal, awarenessProtocol.encodeAwarenessUpdate(this.awareness, gone))
  }

  /** Every presence in the room as one update, or null when the room has none. */
  everyone (): Uint8Array | null {
    const ids = [...this.awareness.getStates().keys()]
    return ids.length === 0 ? null : awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids)
  }

  // Ids a connection speaks for that still have a state: a removed presence frees its place.
  private held (holder: PresenceHolder): number {
    let n = 0
    for (const id of holder.claimed) if (this.owner.get(id) === holder && this.awareness.states.has(id)) n++
    return n
  }

  /** Presence states held now. */
  get size (): number {
    return this.awareness.states.size
  }

  /** Ids the room holds presence for or heard of within the last minute (bounded: see `forgetLeft`). */
  get known (): number {
    return this.awareness.meta.size
  }

  private judge (from: PresenceHolder, { clientId, clock, state }: AwarenessEntry): Verdict {
    const known = this.awareness.meta.get(clientId)?.clock ?? 0
    const owner = this.owner.get(clientId)
    const sibling = owner !== undefined && owner !== from && owner.principal === from.principal
    if (owner !== undefined && owner !== from && !sibling) return 'drop'
    // A reconnecting client's id, seen in relays by others, is not theirs to take while it is away.
    const left = owner === undefined ? this.leftBy.get(clientId) ?? this.elsewhere.get(clientId) : undefined
    if (left !== undefined && left !== from.principal) return 'drop'
    if (state === null) {
      // y-protocols also takes a removal at the same clock. Another token's removal was dropped
      // above: the room times out presence whose owner went quiet by itself.
      return this.awareness.states.has(clientId) && clock >= known ? 'apply' : 'drop'
    }
    if (sibling) return clock > known ? 'sibling' : 'sibling-echo'
    if (clock <= known) return 'drop'
    return owner === from ? 'apply' : 'claim'
  }

  // y-protocols never forgets an id's clock; forget those that left a while ago.
  private forgetLeft (): void {
    const now = Date.now()
    for (const [id, meta] of this.awareness.meta) {
      if (id !== this.awareness.clientID && !this.awareness.states.has(id) && now - meta.lastUpdated > FORGET_AFTER_MS) this.awareness.meta.delete(id)
    }
    // And what connections remember of ids forgotten, so a long-lived one keeps no history.
    const known = (id: number): boolean => this.awareness.meta.has(id)
    for (const id of this.owner.keys()) if (!known(id)) this.owner.delete(id)
    for (const id of this.leftBy.keys()) if (!known(id)) this.leftBy.delete(id)
    for (const id of this.elsewhere.keys()) if (!known(id)) this.elsewhere.delete(id)
    for (const h of this.holders) {
      for (const id of h.claimed) if (!known(id)) h.claimed.delete(id)
      for (const id of h.siblings) if (!known(id)) h.siblings.delete(id)
    }
  }
}

/** What to do with one entry: bring it in, apply it, note a sibling's id (and apply a newer state), or drop it. */
type Verdict = 'claim' | 'apply' | 'sibling' | 'sibling-echo' | 'drop'

const encodeEntries = (entries: readonly AwarenessEntry[]): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, entries.length)
  for (const { clientId, clock, json } of entries) {
    encoding.writeVarUint(encoder, clientId)
    encoding.writeVarUint(encoder, clock)
    encoding.writeVarString(encoder, json)
  }
  return encoding.toUint8Array(encoder)
}
