import type { Locator, Page } from 'playwright-core'

/** The toolbox's `History` tab: every version with open, restore and delete. */
export class HistoryPanel {
  constructor(private readonly page: Page) {}

  get tab(): Locator {
    return this.page.getByRole('tab', { name: 'History', exact: true })
  }

  async show(): Promise<void> {
    await this.tab.click()
  }

  /** History rows: list items that carry an `Open` button. */
  get rows(): Locator {
    return this.page.getByRole('listitem').filter({ has: this.page.getByRole('button', { name: 'Open', exact: true }) })
  }

  /** The row of a version, found by text it shows (its name, or its kind such as `discarded`). */
  row(text: string | RegExp): Locator {
    return this.rows.filter({ hasText: text })
  }

  async open(text: string | RegExp): Promise<void> {
    await this.show()
    await this.row(text).first().getByRole('button', { name: 'Open', exact: true }).click()
  }

  /** Restores a version, confirming in the dialog. */
  async restore(text: string | RegExp): Promise<void> {
    await this.show()
    await this.row(text).first().getByRole('button', { name: 'Restore', exact: true }).click()
    const dialog = this.page.getByRole('dialog').filter({ has: this.page.getByRole('button', { name: 'Restore', exact: true }) })
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click()
    await dialog.waitFor({ state: 'hidden' })
  }

  /** Deletes a version's record, confirming in the dialog. */
  async delete(text: string | RegExp): Promise<void> {
    await this.show()
    await this.row(text).first().getByRole('button', { name: 'Delete', exact: true }).click()
    const dialog = this.page.getByRole('dialog').filter({ has: this.page.getByRole('button', { name: 'Delete', exact: true }) })
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click()
    await dialog.waitFor({ state: 'hidden' })
  }
}
