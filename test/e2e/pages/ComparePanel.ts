import type { Locator, Page } from 'playwright-core'

/** The `Compare` view: two version pickers, change counts, changed items, one item side by side. */
export class ComparePanel {
  constructor(private readonly page: Page) {}

  get tab(): Locator {
    return this.page.getByRole('tab', { name: 'Compare', exact: true })
  }

  get from(): Locator {
    return this.page.getByRole('combobox', { name: 'From', exact: true })
  }

  get to(): Locator {
    return this.page.getByRole('combobox', { name: 'To', exact: true })
  }

  async show(): Promise<void> {
    await this.tab.click()
    await this.from.waitFor()
  }

  /** Picks a side by the version's name (`Latest` for latest). */
  async pick(side: 'from' | 'to', name: string): Promise<void> {
    const picker = side === 'from' ? this.from : this.to
    const texts = (await picker.locator('option').allTextContents()).map((t) => t.trim())
    const label = texts.find((t) => t === name || t.startsWith(`${name} — `))
    if (!label) throw new Error(`No version "${name}" in ${side}: ${texts.join(' | ')}`)
    await picker.selectOption({ label })
  }

  /** The added / removed / changed count of one kind of record (`Items`, `Labels`, `Tags`, …). */
  async count(what: string, column: 'added' | 'removed' | 'changed'): Promise<number> {
    const row = this.page.getByRole('table', { name: 'Change counts' }).getByRole('row').filter({ has: this.page.getByRole('rowheader', { name: what, exact: true }) })
    const index = { added: 1, removed: 2, changed: 3 }[column]
    return Number(await row.getByRole('cell').nth(index - 1).textContent())
  }

  get total(): Locator {
    return this.page.getByTestId('compare-total')
  }

  get items(): Locator {
    return this.page.getByRole('list', { name: 'Changed items' }).getByRole('listitem')
  }

  /** Opens one changed item (by name) side by side. */
  async openItem(name: string): Promise<void> {
    await this.page.getByRole('list', { name: 'Changed items' }).getByRole('button', { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).click()
  }

  /** One side of the side-by-side view. */
  side(which: 'From' | 'To'): Locator {
    return this.page.getByRole('region', { name: new RegExp(`^${which}: `) })
  }

  /** How the boxes on one side are marked: `same`, `added`, `removed`, `changed`, `before`. */
  async changes(which: 'From' | 'To'): Promise<string[]> {
    const marks = await this.side(which).locator('svg [data-change]').evaluateAll((rects) => rects.map((r) => r.getAttribute('data-change') ?? ''))
    return marks.sort()
  }
}
