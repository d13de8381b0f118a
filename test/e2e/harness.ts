import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { test as base } from 'vitest'
import type { Browser, BrowserContext, BrowserContextOptions, Locator } from 'playwright-core'
import { launchBrowser } from './browser.ts'
import { type StrataServer, startServer } from './server.ts'
import { ProjectPage } from './pages/ProjectPage.ts'

export { startServer, type StrataServer, type Role } from './server.ts'
export { launchBrowser, CHROMIUM } from './browser.ts'

const RESULTS = path.resolve(import.meta.dirname, '../../test-results')

/** One person at the keyboard: their own browser context (own IndexedDB, own service worker). */
export interface Person {
  name: string
  context: BrowserContext
  project: ProjectPage
}

/** A fresh context's options, and what to set up on it before the first page opens (a slow network, say). */
export type OpenOptions = BrowserContextOptions & { prepare?: (context: BrowserContext) => Promise<void> }

export interface People {
  /** Opens `link` in a fresh context as `name`, answering the first-visit name prompt. */
  open: (name: string, link: string, options?: OpenOptions) => Promise<Person>
}

const slug = (text: string): string => text.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80)

/**
 * `test` with fixtures: `server` and `browser` live for the test file, `people` for one
 * test; when a test fails every page it opened is saved as a screenshot in `test-results/`.
 */
export const test = base.extend<{ $test: { people: People }; $file: { server: StrataServer; browser: Browser } }>({
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startServer()
      await use(server)
      await server.stop()
    },
    { scope: 'file' },
  ],
  browser: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const browser = await launchBrowser()
      await use(browser)
      await browser.close()
    },
    { scope: 'file' },
  ],
  people: async ({ browser, task }, use) => {
    const everyone: Person[] = []
    await use({
      open: async (name, link, { prepare, ...options } = {}) => {
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options })
        context.setDefaultTimeout(15_000)
        await prepare?.(context)
        const page = await context.newPage()
        const person = { name, context, project: new ProjectPage(page) }
        everyone.push(person)
        await person.project.visit(link, name)
        return person
      },
    })
    if (task.result?.state === 'fail') {
      await mkdir(RESULTS, { recursive: true })
      for (const person of everyone) {
        for (const [i, page] of person.context.pages().entries()) {
          const file = path.join(RESULTS, `${slug(task.name)}-${slug(person.name)}-${i}.png`)
          await page.screenshot({ path: file, fullPage: true }).catch(() => undefined)
        }
      }
    }
    for (const person of everyone) await person.context.close().catch(() => undefined)
  },
})

/** Waits until `locator` is visible: assertions on what a person sees, without sleeping. */
export const seen = (locator: Locator): Promise<void> => locator.waitFor({ state: 'visible' })

/** Waits until `locator` is in the page, shown or not (a closed select's options never are). */
export const listed = (locator: Locator): Promise<void> => locator.first().waitFor({ state: 'attached' })

/**
 * The text of `locator` once it matches `pattern`, or its text after `timeoutMs` if it never
 * does: for `expect.soft` checks that should not stop the rest of a story.
 */
export const textOnceMatching = async (locator: Locator, pattern: RegExp, timeoutMs = 10_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs
  let text = ''
  while (Date.now() < deadline) {
    text = (await locator.textContent().catch(() => null)) ?? ''
    if (pattern.test(text)) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return text
}

/** How many of `locators` exist right now; an old version or a viewer must show none of the edit controls. */
export const present = async (locators: Locator[]): Promise<number> => {
  let total = 0
  for (const locator of locators) total += await locator.count()
  return total
}
