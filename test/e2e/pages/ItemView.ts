import type { Locator, Page } from 'playwright-core'
import { until } from './until.ts'

/** One item large: its boxes, their classes, its tags. */
export class ItemView {
  readonly root: Locator

  constructor(
    private readonly page: Page,
    readonly name: string,
  ) {
    const label = `Item ${name}`
    this.root = page.getByRole('dialog', { name: label, exact: true }).or(page.getByRole('region', { name: label, exact: true }))
  }

  /** The label rectangles drawn over the image. */
  get boxes(): Locator {
    return this.root.locator('svg [data-label-id]')
  }

  /** Ids of the boxes shown, sorted: compares what two views or two versions show. */
  async boxIds(): Promise<string[]> {
    const ids = await this.boxes.evaluateAll((boxes) => boxes.map((box) => box.getAttribute('data-label-id') ?? ''))
    return ids.sort()
  }

  /** The boxes marked with a measurement's outcome (data-outcome tp, fp, fn, confused, ignored, crowd). */
  marks(outcome?: string): Locator {
    return this.root.locator(outcome ? `svg [data-outcome="${outcome}"]` : 'svg [data-outcome]')
  }

  /** The side list of marked boxes, one line each ("TP Prediction car 0.90: TP, true positive"). */
  async outcomeLines(): Promise<string[]> {
    const lines = await this.root.getByRole('list', { name: 'Boxes and outcomes' }).getByRole('listitem').allTextContents()
    return lines.map((l) => l.replace(/\s+/g, ' ').trim())
  }

  /** Everything the view says in words (its tags among them); works on read-only views too. */
  async text(): Promise<string> {
    return (await this.root.textContent()) ?? ''
  }

  get addTagInput(): Locator {
    return this.root.getByLabel('Add tag', { exact: true })
  }

  removeTagButton(tag: string): Locator {
    return this.root.getByRole('button', { name: `Remove tag ${tag}`, exact: true })
  }

  async addTag(tag: string): Promise<void> {
    await this.addTagInput.fill(tag)
    await this.addTagInput.press('Enter')
    await this.removeTagButton(tag).waitFor()
  }

  async removeTag(tag: string): Promise<void> {
    await this.removeTagButton(tag).click()
    await this.removeTagButton(tag).waitFor({ state: 'detached' })
  }

  /** The SVG the boxes live in, laid over the image. */
  get canvas(): Locator {
    return this.root.locator('svg').filter({ has: this.page.locator('[data-label-id]') }).or(this.root.locator('svg').first()).first()
  }

  /** Draws a box by dragging over the image; corners as fractions of the image's size. */
  async drawBox(from: [number, number], to: [number, number]): Promise<void> {
    const area = await this.canvas.boundingBox()
    if (!area) throw new Error(`Item ${this.name} shows no image to draw on`)
    const at = ([fx, fy]: [number, number]): [number, number] => [area.x + area.width * fx, area.y + area.height * fy]
    const before = await this.boxes.count()
    await this.page.mouse.move(...at(from))
    await this.page.mouse.down()
    for (let step = 1; step <= 5; step++) {
      const f = step / 5
      await this.page.mouse.move(...at([from[0] + (to[0] - from[0]) * f, from[1] + (to[1] - from[1]) * f]))
    }
    await this.page.mouse.up()
    await until(async () => (await this.boxes.count()) > before, `a new box on item ${this.name}`)
  }

  /** Clicks a box where nothing else is drawn over it (boxes overlap), which selects it. */
  async selectBox(index = 0): Promise<string> {
    const box = this.boxes.nth(index)
    const id = (await box.getAttribute('data-label-id')) ?? ''
    const point = await box.evaluate((el) => {
      const r = el.getBoundingClientRect()
      for (let fy = 0.1; fy < 1; fy += 0.1) {
        for (let fx = 0.1; fx < 1; fx += 0.1) {
          const x = r.left + r.width * fx
          const y = r.top + r.height * fy
          if (document.elementFromPoint(x, y) === el) return { x, y }
        }
      }
      return null
    })
    if (!point) throw new Error(`Box ${id} on item ${this.name} is covered everywhere; nothing to click`)
    await this.page.mouse.click(point.x, point.y)
    return id
  }

  /** Selects a box by clicking it and deletes it with the `Delete` key. */
  async deleteBox(index = 0): Promise<void> {
    const id = await this.selectBox(index)
    await this.page.keyboard.press('Delete')
    await this.root.locator(`[data-label-id="${id}"]`).waitFor({ state: 'detached' })
  }

  get classPicker(): Locator {
    return this.root.getByRole('combobox', { name: 'Label class', exact: true })
  }

  /** Closes the view with Escape; the first Escape may only deselect a box, as in most editors. */
  async close(): Promise<void> {
    for (let attempt = 0; attempt < 3 && (await this.root.count()) > 0; attempt++) {
      await this.page.keyboard.press('Escape')
      await this.root.waitFor({ state: 'detached', timeout: 1_000 }).catch(() => undefined)
    }
    await this.root.waitFor({ state: 'detached' })
  }
}
