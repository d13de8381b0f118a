import type { Page } from 'playwright-core'
import * as encoding from 'lib0/encoding'
import { writeUpdate } from 'y-protocols/sync'
import { Message } from '../../src/wire.ts'

/** A y-websocket sync "update" message carrying `update`, as bytes a page can send. */
export const syncUpdateMessage = (update: Uint8Array): number[] => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, Message.SYNC)
  writeUpdate(encoder, update)
  return [...encoding.toUint8Array(encoder)]
}

/** Records every WebSocket the page opens, so the test can write on the app's own authenticated link. */
const captureSockets = (): void => {
  const Native = window.WebSocket
  const sockets: WebSocket[] = []
  Object.assign(window, { strataSockets: sockets })
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      sockets.push(this)
    }
  }
}

/** Opens the app in `page` and sends raw bytes on the app's own sync websocket. */
export const sendOnAppLink = async (page: Page, link: string, message: number[]): Promise<boolean> => {
  await page.addInitScript(captureSockets)
  await page.goto(link)
  await page.getByRole('grid', { name: 'Items', exact: true }).waitFor()
  const sent = await page.waitForFunction((bytes) => {
    const sockets = (window as unknown as { strataSockets?: WebSocket[] }).strataSockets ?? []
    const open = sockets.find((socket) => socket.readyState === WebSocket.OPEN && socket.url.includes('/sync'))
    if (!open) return false
    open.send(new Uint8Array(bytes))
    return true
  }, message)
  return (await sent.jsonValue()) === true
}
