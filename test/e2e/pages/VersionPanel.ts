import type { Locator, Page } from 'playwright-core'

/** The toolbox's `Version` tab: outstanding changes, create a version, discard changes. */
export class VersionPanel {
  constructor(private readonly page: Page) {}

  get tab(): Locator {
    return this.page.getByRole('tab', { name: 'Version', exact: true })
  }

  get createButton(): Locator {
    return this.page.getByRole('button', { name: 'Create version', exact: true })
  }

  get discardButton(): Locator {
    return this.page.getByRole('button', { name: 'Discard changes', exact: true })
  }

  async show(): Promise<void> {
    await this.tab.click()
  }

  get nameInput(): Locator {
    return this.page.getByLabel('Version name', { exact: true })
  }

  /** What the form says about the name typed, e.g. that another version already has it. */
  get nameNote(): Locator {
    return this.page.getByRole('note')
  }

  /** Names and describes a version of the whole project and creates it. */
  async createVersion(name: string, description = ''): Promise<void> {
    await this.show()
    await this.nameInput.fill(name)
    await this.page.getByLabel('Description', { exact: true }).fill(description)
    await this.createButton.click()
  }

  /** Throws away the outstanding changes, confirming in the dialog. */
  async discardChanges(): Promise<void> {
    await this.show()
    await this.discardButton.click()
    const dialog = this.page.getByRole('dialog').filter({ has: this.page.getByRole('button', { name: 'Discard', exact: true }) })
    await dialog.getByRole('button', { name: 'Discard', exact: true }).click()
    await dialog.waitFor({ state: 'hidden' })
  }
}
