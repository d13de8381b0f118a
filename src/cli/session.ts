import * as decoding from 'lib0/decoding'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { newProjectDoc } from '../domain/index.ts'
import { ABNORMAL_CLOSURE, Message, PERMISSION_DENIED, isRefusal } from '../wire.ts'
import { CliError } from './errors.ts'
import type { Target } from './rest.ts'

/** A synced replica of one project, kept up to date with the server until `close`. */
export interface Session {
  doc: Y.Doc
  /** Waits until the server holds every change made here, then disconnects. */
  close(): Promise<void>
}

const syncUrl = (server: string): string => `${server.replace(/^http/, 'ws').replace(/\/$/, '')}/sync`

const closeReason = (code: number, reason: string): string => `the server closed the connection: ${code} ${reason || '(no reason given)'}`

/** Connects a stock WebsocketProvider and waits for the first full sync; 44xx closes fail at once. */
export const open = (t: Target, timeoutMs: number): Promise<Session> =>
  new Promise((resolve, reject) => {
    const doc = newProjectDoc()
    const provider = new WebsocketProvider(syncUrl(t.server), t.project, doc, {
      params: { token: t.token },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 1000,
    })
    let lastProblem = 'no answer'
    let failure: CliError | null = null
    const fail = (error: CliError): void => {
      failure = error
      provider.destroy()
      reject(error)
    }
    const timer = setTimeout(() => fail(new CliError(`could not sync with ${t.server} within ${timeoutMs / 1000} s (${lastProblem})`)), timeoutMs)
    provider.on('connection-error', () => (lastProblem = 'the server cannot be reached'))
    // A viewer token's edits are dropped; the server says so once, and waiting would be in vain.
    provider.messageHandlers[Message.AUTH] = (_encoder, decoder) => {
      if (decoding.readVarUint(decoder) === PERMISSION_DENIED) fail(new CliError(`the server refused the changes: ${decoding.readVarString(decoder)}`))
    }
    provider.on('connection-close', (event) => {
      if (event === null) return
      // A socket that never opened: nothing is listening there.
      lastProblem = event.code === ABNORMAL_CLOSURE ? 'the server cannot be reached' : closeReason(event.code, event.reason)
      if (isRefusal(event.code)) {
        clearTimeout(timer)
        fail(new CliError(lastProblem))
      }
    })
    provider.once('sync', () => {
      clearTimeout(timer)
      if (failure) return
      resolve({
        doc,
        close: async () => {
          try {
            await settle(t, doc, () => failure, timeoutMs)
          } finally {
            provider.destroy()
          }
        },
      })
    })
  })

/** The server's state vector for the project: the sync step 1 it sends a newly joined client. */
const serverStateVector = (t: Target): Promise<Map<number, number>> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`${syncUrl(t.server)}/${encodeURIComponent(t.project)}?token=${encodeURIComponent(t.token)}`)
    ws.binaryType = 'arraybuffer'
    ws.on('message', (data: ArrayBuffer) => {
      const d = decoding.createDecoder(new Uint8Array(data))
      if (decoding.readVarUint(d) !== 0 || decoding.readVarUint(d) !== 0) return
      resolve(Y.decodeStateVector(decoding.readVarUint8Array(d)))
      ws.close()
    })
    ws.on('close', (code, reason) => reject(new CliError(closeReason(code, reason.toString()))))
    ws.on('error', (e) => reject(new CliError(`cannot reach the server at ${t.server}: ${e.message}`)))
  })

const covers = (server: Map<number, number>, local: Map<number, number>): boolean =>
  [...local].every(([client, clock]) => (server.get(client) ?? 0) >= clock)

/**
 * y-websocket has no acknowledgement, so ask the server what it has: a fresh connection's
 * sync step 1 carries the server's state vector, which covers ours once every update
 * we sent is in its log (the server logs an update before it relays or answers).
 */
const settle = async (t: Target, doc: Y.Doc, failed: () => CliError | null, timeoutMs: number): Promise<void> => {
  const local = Y.decodeStateVector(Y.encodeStateVector(doc))
  const end = Date.now() + timeoutMs
  for (;;) {
    const problem = failed()
    if (problem) throw problem
    if (covers(await serverStateVector(t), local)) return
    if (Date.now() > end) throw new CliError(`the server did not confirm every change within ${timeoutMs / 1000} s; run the command again to check`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
