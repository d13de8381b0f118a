import type { Locator, Page } from 'playwright-core'

/** The grid of items with its filters and count. */
export class Explorer {
  constructor(private readonly page: Page) {}

  get grid(): Locator {
    return this.page.getByRole('grid', { name: 'Items', exact: true })
  }

  get cells(): Locator {
    return this.grid.getByRole('gridcell')
  }

  cell(name: string): Locator {
    return this.grid.getByRole('gridcell', { name, exact: true })
  }

  /** The `312 items` count. */
  get count(): Locator {
    return this.page.getByText(/^\s*[\d,]+ items?\s*$/)
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Search', { exact: true }).fill(text)
  }

  /** Names of the cells currently rendered (the grid is virtualised). */
  async visibleNames(): Promise<string[]> {
    return this.cells.evaluateAll((cells) => cells.map((cell) => cell.getAttribute('aria-label') ?? cell.textContent?.trim() ?? ''))
  }

  /** Opens an item: search for it so it is rendered, then open its cell. */
  async open(name: string): Promise<void> {
    await this.search(name)
    const cell = this.cell(name)
    await cell.dblclick()
  }
}
