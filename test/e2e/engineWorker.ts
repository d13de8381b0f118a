import type { CDPSession, Page } from 'playwright-core'

/**
 * The app's engine runs in a SharedWorker, which Playwright does not expose. These helpers
 * reach it over the browser's DevTools protocol: find the engine worker of a page's browser
 * context, evaluate in it, and hear what it logs. Sessions to a worker target are used in
 * the protocol's message-passing mode (`Target.sendMessageToTarget`), the one a client
 * without flat-session support can speak.
 */

interface TargetInfo { targetId: string; type: string; url: string; browserContextId?: string }
interface Reply { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown }
type Listener = (method: string, params: unknown) => void

/** One attached session to one worker target. */
export class WorkerSession {
  #next = 0
  #waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  #listeners = new Set<Listener>()

  constructor(
    readonly browser: CDPSession,
    readonly sessionId: string,
    readonly target: TargetInfo,
    readonly release: () => Promise<void> = async () => undefined,
  ) {
    browser.on('Target.receivedMessageFromTarget', (event) => {
      if (event.sessionId !== sessionId) return
      const reply = JSON.parse(event.message) as Reply
      // A worker that restarts (a reload ended the old one) while we are attached waits for
      // its debugger before it runs: let it run, as an app without DevTools would.
      if (reply.method === 'Inspector.targetReloadedAfterCrash') void this.send('Runtime.runIfWaitingForDebugger').catch(() => undefined)
      if (reply.method) for (const fn of this.#listeners) fn(reply.method, reply.params)
      const waiting = reply.id === undefined ? undefined : this.#waiting.get(reply.id)
      if (!waiting || reply.id === undefined) return
      this.#waiting.delete(reply.id)
      if (reply.error) waiting.reject(new Error(`${this.target.url}: ${reply.error.message}`))
      else waiting.resolve(reply.result)
    })
  }

  /** Sends one protocol command to the worker and answers its result. */
  send<T>(method: string, params: object = {}): Promise<T> {
    const id = ++this.#next
    const answer = new Promise<T>((resolve, reject) => this.#waiting.set(id, { resolve: resolve as (value: unknown) => void, reject }))
    const message = JSON.stringify({ id, method, params })
    this.browser.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message }).catch((error: unknown) => {
      this.#waiting.get(id)?.reject(error instanceof Error ? error : new Error(String(error)))
      this.#waiting.delete(id)
    })
    return answer
  }

  /** Evaluates `expression` in the worker's global scope (promises awaited) and answers its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send<{ result: { value?: unknown }; exceptionDetails?: { text: string } }>('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
    })
    if (exceptionDetails) throw new Error(`In the engine worker: ${exceptionDetails.text}`)
    return result.value as T
  }

  /** Calls `fn` for every protocol event the worker sends (after the domain was enabled). */
  on(fn: Listener): void {
    this.#listeners.add(fn)
  }

  async detach(): Promise<void> {
    await this.browser.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => undefined)
    await this.release()
  }
}

/** The browser-wide DevTools session and the id of `page`'s browser context in it. */
const browserSide = async (page: Page): Promise<{ browser: CDPSession; contextId: string | undefined }> => {
  const owner = page.context().browser()
  if (!owner) throw new Error('The page has no browser to reach its workers through')
  const pageSession = await page.context().newCDPSession(page)
  const { targetInfo } = (await pageSession.send('Target.getTargetInfo')) as { targetInfo: TargetInfo }
  await pageSession.detach()
  return { browser: await owner.newBrowserCDPSession(), contextId: targetInfo.browserContextId }
}

const engineTargets = async (browser: CDPSession, contextId: string | undefined): Promise<TargetInfo[]> => {
  const { targetInfos } = (await browser.send('Target.getTargets')) as { targetInfos: TargetInfo[] }
  return targetInfos.filter((t) => t.type === 'shared_worker' && t.browserContextId === contextId)
}

const attach = async (browser: CDPSession, target: TargetInfo, release?: () => Promise<void>): Promise<WorkerSession> => {
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })
  return new WorkerSession(browser, sessionId, target, release)
}

/**
 * Sessions to every engine worker of `page`'s browser context (the shared workers it runs;
 * usually one), waiting up to `timeoutMs` for the first to start.
 */
export const engineWorkers = async (page: Page, timeoutMs = 15_000): Promise<WorkerSession[]> => {
  const { browser, contextId } = await browserSide(page)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const targets = await engineTargets(browser, contextId)
    if (targets.length > 0) {
      // The browser-wide session goes when the last of these sessions is detached.
      let attached = targets.length
      const release = async (): Promise<void> => {
        if (--attached === 0) await browser.detach().catch(() => undefined)
      }
      return Promise.all(targets.map((target) => attach(browser, target, release)))
    }
    if (Date.now() > deadline) {
      await browser.detach().catch(() => undefined)
      throw new Error('No engine worker started in this browser context')
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The single engine worker of `page`'s browser context. */
export const engineWorker = async (page: Page, timeoutMs?: number): Promise<WorkerSession> => {
  const workers = await engineWorkers(page, timeoutMs)
  const [first] = workers
  if (first && workers.length === 1) return first
  for (const worker of workers) await worker.detach()
  throw new Error(`Expected one engine worker in this browser context, found ${workers.length}`)
}

interface ConsoleCall { type: string; args: { value?: unknown; description?: string }[] }
interface Thrown { exceptionDetails: { text: string; exception?: { description?: string } } }

/**
 * Hears what every engine worker of `page`'s context logs (console calls and uncaught errors,
 * those logged before we attached included), the ones started later (after a reload) too.
 */
export const engineConsole = async (page: Page, onMessage: (type: string, text: string) => void): Promise<() => Promise<void>> => {
  const { browser, contextId } = await browserSide(page)
  const heard = new Set<string>()
  const listen = async (target: TargetInfo): Promise<void> => {
    if (target.type !== 'shared_worker' || target.browserContextId !== contextId || heard.has(target.targetId)) return
    heard.add(target.targetId)
    const session = await attach(browser, target)
    session.on((method, params) => {
      if (method === 'Runtime.consoleAPICalled') {
        const { type, args } = params as ConsoleCall
        onMessage(type, args.map((a) => (typeof a.value === 'string' ? a.value : (a.description ?? String(a.value)))).join(' '))
      }
      if (method === 'Runtime.exceptionThrown') {
        const { exceptionDetails } = params as Thrown
        onMessage('error', `${exceptionDetails.text} ${exceptionDetails.exception?.description ?? ''}`)
      }
    })
    await session.send('Runtime.enable')
  }
  browser.on('Target.targetCreated', ({ targetInfo }) => void listen(targetInfo as TargetInfo).catch(() => undefined))
  await browser.send('Target.setDiscoverTargets', { discover: true })
  for (const target of await engineTargets(browser, contextId)) await listen(target)
  return () => browser.detach().catch(() => undefined)
}
