import { type Browser, chromium } from 'playwright-core'

/** Debian's Chromium: no tool may download a browser. */
export const CHROMIUM = process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium'

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync']

/** Launches the system Chromium headless. */
export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: ARGS })
