import type { Locator, Page } from 'playwright-core'
import { Sidebar } from './Sidebar.ts'
import { VersionPanel } from './VersionPanel.ts'
import { HistoryPanel } from './HistoryPanel.ts'
import { Explorer } from './Explorer.ts'
import { ItemView } from './ItemView.ts'

/** The whole app as one person sees it: sidebar, explorer, toolbox, item view. */
export class ProjectPage {
  readonly sidebar: Sidebar
  readonly versionPanel: VersionPanel
  readonly history: HistoryPanel
  readonly explorer: Explorer

  constructor(readonly page: Page) {
    this.sidebar = new Sidebar(page)
    this.versionPanel = new VersionPanel(page)
    this.history = new HistoryPanel(page)
    this.explorer = new Explorer(page)
  }

  /** Opens a link and, on a first visit, gives the display name. */
  async visit(link: string, name: string): Promise<void> {
    await this.page.goto(link)
    await this.answerNamePrompt(name)
  }

  /** Reloads the tab (the app shell may come from the service worker). */
  async reload(name: string): Promise<void> {
    await this.page.reload()
    await this.answerNamePrompt(name)
  }

  private async answerNamePrompt(name: string): Promise<void> {
    const nameInput = this.page.getByLabel('Your name', { exact: true })
    const grid = this.explorer.grid
    await nameInput.or(grid).first().waitFor()
    if (await nameInput.isVisible()) {
      await nameInput.fill(name)
      await this.page.getByRole('button', { name: 'Continue', exact: true }).click()
    }
    await grid.waitFor()
  }

  /** The item view of one item, opened from the grid. */
  async openItem(name: string): Promise<ItemView> {
    await this.explorer.open(name)
    const view = new ItemView(this.page, name)
    await view.root.waitFor()
    return view
  }

  /** The banner that says an old version is open, read-only. */
  get readOnlyBanner(): Locator {
    return this.page.getByRole('status').filter({ hasText: /read-only/i })
  }

  /** What the app says about a version that cannot be shown (deleted, not in the project, not arrived yet). */
  get versionNotice(): Locator {
    return this.page.getByRole('status').filter({ hasText: /was deleted by|not in this project|Looking for the version/ })
  }

  async backToLatest(): Promise<void> {
    await this.readOnlyBanner.getByRole('button', { name: 'Back to latest' }).click()
    await this.readOnlyBanner.waitFor({ state: 'detached' })
  }

  /** Every control that changes the project; none may exist on an old version or for a viewer. */
  editControls(): Locator[] {
    const byName = (role: 'button' | 'textbox', name: string): Locator => this.page.getByRole(role, { name, exact: true })
    return [byName('button', 'Create version'), byName('button', 'Discard changes'), byName('textbox', 'Add tag'), this.page.getByLabel('Add tag'), byName('button', 'Restore')]
  }

  /** Errors the app reports in place. */
  get alerts(): Locator {
    return this.page.getByRole('alert')
  }
}
