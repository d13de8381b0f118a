import type { Page } from 'playwright-core'
import * as encoding from 'lib0/encoding'
import { writeUpdate } from 'y-protocols/sync'
import { Message } from '../../src/wire.ts'
import { type WorkerSession, engineWorkers } from './engineWorker.ts'

/** A y-websocket sync "update" message carrying `update`, as bytes the app's link can carry. */
export const syncUpdateMessage = (update: Uint8Array): number[] => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, Message.SYNC)
  writeUpdate(encoder, update)
  return [...encoding.toUint8Array(encoder)]
}

/** Sends `bytes` on the worker's open sync websocket that carries `token`, if there is one; answers whether it did. */
const sendOnOpenSocket = async (worker: WorkerSession, token: string, bytes: number[]): Promise<boolean> => {
  const prototype = await worker.send<{ result: { objectId: string } }>('Runtime.evaluate', { expression: 'WebSocket.prototype' })
  const { objects } = await worker.send<{ objects: { objectId: string } }>('Runtime.queryObjects', { prototypeObjectId: prototype.result.objectId })
  const { result } = await worker.send<{ result: { value?: unknown } }>('Runtime.callFunctionOn', {
    objectId: objects.objectId,
    functionDeclaration: `function (token, bytes) {
      const ours = (socket) => new URL(socket.url).pathname.startsWith('/sync') && new URL(socket.url).searchParams.get('token') === token
      const open = this.find((socket) => socket.readyState === WebSocket.OPEN && ours(socket))
      if (!open) return false
      open.send(new Uint8Array(bytes))
      return true
    }`,
    arguments: [{ value: token }, { value: bytes }],
    returnByValue: true,
  })
  return result.value === true
}

/**
 * Opens the app in `page` and sends raw bytes on the app's own sync websocket: the one its
 * engine worker opened with the link's token, found among the worker's live WebSocket objects.
 */
export const sendOnAppLink = async (page: Page, link: string, message: number[]): Promise<boolean> => {
  const token = new URL(link).searchParams.get('token') ?? ''
  await page.goto(link)
  await page.getByRole('grid', { name: 'Items', exact: true }).waitFor()
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    for (const worker of await engineWorkers(page)) {
      const sent = await sendOnOpenSocket(worker, token, message).catch(() => false)
      await worker.detach()
      if (sent) return true
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}
