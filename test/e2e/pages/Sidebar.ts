import type { Locator, Page } from 'playwright-core'

/** The project's name, the `Version` picker, the sync state and who is here. */
export class Sidebar {
  constructor(private readonly page: Page) {}

  projectName(name: string): Locator {
    return this.page.getByRole('heading', { name, exact: true })
  }

  get versionPicker(): Locator {
    return this.page.getByRole('combobox', { name: 'Version', exact: true })
  }

  /** The picker's option texts, e.g. `Latest`, `Baseline — Ada, 10:02`. */
  async versionOptions(): Promise<string[]> {
    return (await this.versionPicker.locator('option').allTextContents()).map((text) => text.trim())
  }

  /** The picker option of a checkpoint (`name — author, time`). */
  versionOption(name: string): Locator {
    return this.versionPicker.locator('option').filter({ hasText: new RegExp(`^\\s*${escape(name)}\\s+—`) })
  }

  /** Opens a version by its name from the `Version` picker. */
  async openVersion(name: string): Promise<void> {
    const label = (await this.versionOption(name).first().textContent())?.trim()
    if (!label) throw new Error(`No version "${name}" in the Version picker: ${(await this.versionOptions()).join(' | ')}`)
    await this.versionPicker.selectOption({ label })
  }

  /** The text of the version the picker shows as chosen (`Latest`, or `name — author, time`). */
  async chosenVersion(): Promise<string> {
    return this.versionPicker.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent?.trim() ?? '')
  }

  get syncStatus(): Locator {
    return this.page.getByTestId('sync-status')
  }

  get peopleHere(): Locator {
    return this.page.getByRole('list', { name: 'People here', exact: true })
  }

  person(name: string): Locator {
    return this.peopleHere.getByRole('listitem').filter({ hasText: name })
  }
}

/** `text` as a literal inside a regular expression. */
export const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
