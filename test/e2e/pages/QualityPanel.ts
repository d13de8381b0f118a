import type { Locator, Page } from 'playwright-core'

/** The Quality view: pick a run, compute, read the table, drill from a count or a matrix cell to the grid. */
export class QualityPanel {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Quality', exact: true }).click()
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Metrics per class' })
  }

  matrix(letter = ''): Locator {
    return this.page.getByRole('table', { name: letter ? `Confusion matrix (${letter})` : 'Confusion matrix' })
  }

  /** Computes and waits for the table. */
  async compute(): Promise<void> {
    await this.page.getByRole('button', { name: 'Compute', exact: true }).click()
    await this.page.getByRole('status').filter({ hasText: /Reading|Fetching|Matching/ }).waitFor({ state: 'detached' }).catch(() => undefined)
    await this.table.waitFor()
  }

  /** The number a column shows for a class ("All classes" for the overall row), as printed. */
  async metric(className: string, column: string): Promise<string> {
    const headers = (await this.table.locator('thead tr').first().locator('th').allTextContents()).map((t) => t.trim())
    const index = headers.indexOf(column)
    if (index < 0) throw new Error(`No column ${column} in ${headers.join(', ')}`)
    const row = this.table.locator('tbody tr').filter({ has: this.page.getByRole('button', { name: className, exact: true }) })
    return ((await row.locator('th, td').nth(index).textContent()) ?? '').trim()
  }

  /** Clicks a TP / FP / FN count of one class, which shows its items in the grid. */
  async drillCount(className: string, words: 'true positives' | 'false positives' | 'false negatives'): Promise<void> {
    await this.table.getByRole('button', { name: new RegExp(`^\\d+ ${words} of ${className}(?: \\([AB]\\))?: show the items$`) }).first().click()
  }

  /** Clicks the matrix cell that reads as `name` ("dog predicted as car"). */
  async drillCell(name: string, letter = ''): Promise<void> {
    await this.matrix(letter).getByRole('button', { name: new RegExp(`^${name}: \\d+$`) }).click()
  }

  /** The grid's outcome filter chip. */
  get filter(): Locator {
    return this.page.getByRole('group', { name: 'Quality filter' })
  }
}
