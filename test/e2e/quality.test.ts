import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { addRun, maps } from '../../src/domain/index.ts'
import { seen, test } from './harness.ts'
import { SEEDER, connectReplica, png, putBlob, seedProject } from './seed.ts'
import { ComparePanel } from './pages/ComparePanel.ts'
import { QualityPanel } from './pages/QualityPanel.ts'

test('the Quality view measures a run against a version in a worker: table and PR curve', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Quality story', items: 12 })
  // A run that predicts every label exactly, plus one box where nothing is: AP 1, one FP.
  const replica = await connectReplica(server, seeded.id, seeded.token)
  const rows = [...maps(replica.doc).labels.values()].map((l) => ({ image_id: l.itemId, category_id: l.classId, bbox: l.bbox, score: 0.9 }))
  const first = rows[0]
  if (first) rows.push({ ...first, bbox: [40, 30, 10, 10], score: 0.8 })
  const blob = await putBlob(server, seeded.id, seeded.token, new TextEncoder().encode(JSON.stringify(rows)))
  addRun(replica.doc, { name: 'exact', model: 'oracle', blob, count: rows.length }, SEEDER)
  await new Promise((resolve) => setTimeout(resolve, 300))
  replica.close()

  const { project } = await people.open('Ada', server.link(seeded.id, seeded.token))
  const page = project.page
  await page.getByRole('tab', { name: 'Quality', exact: true }).click()
  await expect.poll(() => page.getByRole('combobox', { name: 'Run', exact: true }).locator('option').allTextContents()).toEqual(['exact (oracle)'])
  await page.getByRole('button', { name: 'Compute', exact: true }).click()
  const quality = new QualityPanel(page)
  await quality.table.waitFor()
  // 36 labels, all found: AP50 = AP = 1, P = 36/37, R = 1, TP/FP/FN 36/1/0.
  expect(await Promise.all(['AP50', 'AP', 'P', 'R', 'TP', 'FP', 'FN'].map((c) => quality.metric('All classes', c)))).toEqual(['1.000', '1.000', '0.973', '1.000', '36', '1', '0'])
  await seen(page.getByRole('img', { name: /^Precision-recall curve: All classes/ }))
  expect(await project.alerts.count()).toBe(0)
})

const file = (name: string, bytes: Uint8Array | string, mimeType: string) => ({ name, mimeType, buffer: Buffer.from(bytes) })
const coco = {
  images: ['a', 'b', 'c', 'd'].map((n, i) => ({ id: i + 1, file_name: `${n}.png`, width: 100, height: 100 })),
  categories: [{ id: 1, name: 'car' }, { id: 2, name: 'dog' }],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 40, 40] }, { id: 2, image_id: 1, category_id: 2, bbox: [60, 60, 30, 30] },
    { id: 3, image_id: 2, category_id: 1, bbox: [10, 10, 40, 40] }, { id: 4, image_id: 3, category_id: 2, bbox: [20, 20, 50, 50] },
  ],
}
// a: a car at IoU 0.68 (a hit at 0.5, not at 0.75) and the dog; b: the car and a car where nothing is;
// c: a car where a dog is labelled (confused); d: a car on an empty image.
const results = [
  { image_id: 1, category_id: 1, bbox: [14, 14, 40, 40], score: 0.95 }, { image_id: 1, category_id: 2, bbox: [60, 60, 30, 30], score: 0.85 },
  { image_id: 2, category_id: 1, bbox: [10, 10, 40, 40], score: 0.9 }, { image_id: 2, category_id: 1, bbox: [60, 60, 20, 20], score: 0.7 },
  { image_id: 3, category_id: 1, bbox: [20, 20, 50, 50], score: 0.8 }, { image_id: 4, category_id: 1, bbox: [5, 5, 20, 20], score: 0.6 },
]

/** Images, their COCO labels and a model's results, imported as a person does. */
const importAll = async (page: Page, runs: Array<{ name: string; rows: unknown[] }>): Promise<void> => {
  await page.locator('input[type=file][accept="image/*"]').setInputFiles(['a', 'b', 'c', 'd'].map((n, i) => file(`${n}.png`, png(100, 100, [40 * i, 90, 160]), 'image/png')))
  await seen(page.getByRole('status').filter({ hasText: '4 images added' }))
  await page.locator('input[type=file][accept=".json,application/json"]').first().setInputFiles(file('coco.json', JSON.stringify(coco), 'application/json'))
  const dialog = page.getByRole('dialog', { name: 'Import coco.json' })
  await dialog.getByRole('button', { name: 'Import', exact: true }).click()
  await seen(page.getByRole('status', { name: 'COCO import report' }).getByText('4 labels added'))
  for (const run of runs) {
    await page.getByRole('button', { name: 'Import predictions' }).click()
    const runDialog = page.getByRole('dialog', { name: 'Import predictions' })
    await runDialog.locator('input[type=file]').nth(0).setInputFiles(file('results.json', JSON.stringify(run.rows), 'application/json'))
    await runDialog.locator('input[type=file]').nth(1).setInputFiles(file('coco.json', JSON.stringify(coco), 'application/json'))
    await runDialog.getByLabel('Run name').fill(run.name)
    await runDialog.getByRole('button', { name: 'Import', exact: true }).click()
    await seen(page.getByRole('status').filter({ hasText: `Run "${run.name}"` }))
  }
}

test('COCOeval numbers in the table; from an FP count and a matrix cell to exactly their items, each box marked TP / FP / FN', async ({ server, people }) => {
  const created = await seedProject(server, { name: 'Drill-down', items: 1, labelsPerItem: 0 })
  const { project } = await people.open('Ada', server.link(created.id, created.token))
  const page = project.page
  await importAll(page, [{ name: 'detector', rows: results }])

  const quality = new QualityPanel(page)
  await quality.open()
  await quality.compute()
  // pycocotools' numbers for these boxes (checked by hand against the engine's oracle-tested port).
  expect(await quality.metric('All classes', 'AP75')).toBe('0.379')
  expect(await quality.metric('All classes', 'AP50')).toBe('0.752')
  expect(await quality.metric('All classes', 'AR100')).toBe('0.600')
  expect(await quality.metric('car', 'AP75')).toBe('0.252')
  expect(await quality.metric('dog', 'APs')).toBe('1.000')
  expect(await quality.metric('car', 'APs')).toBe('—')
  expect(await quality.metric('car', 'FP')).toBe('3')
  expect(await page.getByText(/FP = such predictions matched to nothing/).count()).toBe(1)
  expect(await page.getByRole('note', { name: 'Not COCOeval' }).count()).toBe(0)

  // The three false positives of car: b (on background), c (where a dog is), d (on an empty image).
  await quality.drillCount('car', 'false positives')
  await seen(quality.filter.getByText('False positives of car in run detector on Latest at IoU 0.5'))
  await expect.poll(async () => (await project.explorer.visibleNames()).sort()).toEqual(['b.png', 'c.png', 'd.png'])

  const b = await project.openItem('b.png')
  await expect.poll(() => b.outcomeLines()).toEqual([
    'TP Label car: TP, found',
    'TP Prediction car 0.90: TP, true positive',
    'FP Prediction car 0.70: FP, false positive',
  ])
  expect(await b.marks('fp').count()).toBe(1)
  expect(await b.marks('tp').count()).toBe(2)
  expect(await b.root.getByRole('list', { name: 'Legend' }).textContent()).toContain('FN missed')
  await b.close()

  await page.getByRole('button', { name: /^Remove filter: False positives of car/ }).click()
  await project.explorer.search('')
  await expect.poll(async () => (await project.explorer.visibleNames()).length).toBe(5)

  // The matrix cell "labelled dog, predicted car" is c alone; its boxes say so.
  await quality.open()
  await quality.drillCell('dog predicted as car')
  await seen(quality.filter.getByText('dog predicted as car in run detector on Latest at IoU 0.5'))
  await expect.poll(() => project.explorer.visibleNames()).toEqual(['c.png'])
  const c = await project.openItem('c.png')
  await expect.poll(() => c.outcomeLines()).toEqual([
    'C Label dog: C, predicted as car (counts as FN)',
    'C Prediction car 0.80: C, confused with a label of dog (counts as FP)',
  ])
  expect(await c.marks('confused').count()).toBe(2)
  await c.close()

  // 11-point AP is a named departure: the numbers change and say they are not COCOeval's.
  await quality.open()
  await page.getByText('Advanced: departures from COCOeval').click()
  await page.getByLabel('11-point AP (Pascal VOC / Encord Active)').check()
  await quality.compute()
  await expect.poll(() => quality.metric('All classes', 'AP75')).toBe('0.409')
  await seen(page.getByRole('note', { name: 'Not COCOeval' }).getByText(/11-point AP \(Pascal VOC \/ Encord Active\)/))
  expect(await project.alerts.count()).toBe(0)
})

test('comparing two runs: the change per class and the items whose outcome changed, each opening the item', async ({ server, people }) => {
  const created = await seedProject(server, { name: 'Two runs', items: 1, labelsPerItem: 0 })
  const { project } = await people.open('Ada', server.link(created.id, created.token))
  const page = project.page
  // The second model no longer predicts a car on the empty image d.
  await importAll(page, [{ name: 'first', rows: results }, { name: 'second', rows: results.filter((r) => r.image_id !== 4) }])
  const quality = new QualityPanel(page)
  await quality.open()
  await page.getByLabel('Compare with another version or run').check()
  await page.getByRole('combobox', { name: 'Run', exact: true }).selectOption({ label: 'first' })
  await page.getByRole('combobox', { name: 'Run (B)', exact: true }).selectOption({ label: 'second' })
  await quality.compute()
  const car = quality.table.locator('tbody tr').filter({ has: page.getByRole('button', { name: 'car', exact: true }) })
  const cells = (await car.locator('th, td').allTextContents()).map((t) => t.trim())
  // Class, Labels, 15 metrics × (A, B, Δ), then TP, FP, FN × (A, B, Δ): car's FP went from 3 to 2, AP50 stayed 1.
  expect(cells.slice(50, 53)).toEqual(['3', '2', '−1'])
  expect(cells.slice(5, 8)).toEqual(['1.000', '1.000', '±0.000'])
  const changed = page.getByRole('list', { name: 'Changed outcomes' })
  await expect.poll(async () => (await changed.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['d.png FP 1 → 0 · FN 0'])
  await changed.getByRole('button', { name: 'd.png', exact: true }).click()
  await seen(page.getByRole('dialog', { name: 'Item d.png', exact: true }))
  expect(await project.alerts.count()).toBe(0)
})

test('comparing two versions: an item whose outcome changed links to its label changes in Compare', async ({ server, people }) => {
  const created = await seedProject(server, { name: 'Two versions', items: 1, labelsPerItem: 0 })
  const { project } = await people.open('Ada', server.link(created.id, created.token))
  const page = project.page
  await importAll(page, [{ name: 'detector', rows: results }])
  await project.versionPanel.createVersion('v1')
  // In latest, the dog on c goes: the car predicted there becomes a plain false positive, no longer a miss.
  const c = await project.openItem('c.png')
  await c.deleteBox(0)
  await c.close()

  const quality = new QualityPanel(page)
  await quality.open()
  await page.getByLabel('Compare with another version or run').check()
  const labelsOf = page.getByRole('combobox', { name: 'Labels of', exact: true })
  await expect.poll(async () => (await labelsOf.locator('option').allTextContents()).some((t) => t.trim().startsWith('v1'))).toBe(true)
  const v1 = (await labelsOf.locator('option').allTextContents()).map((t) => t.trim()).find((t) => t.startsWith('v1')) as string
  await labelsOf.selectOption({ label: v1 })
  await quality.compute()
  const changed = page.getByRole('list', { name: 'Changed outcomes' })
  await expect.poll(async () => (await changed.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['c.png FP 1 · FN 1 → 0 Label changes'])
  await changed.getByRole('button', { name: 'Label changes of c.png', exact: true }).click()
  const compare = new ComparePanel(page)
  await expect.poll(async () => (await compare.from.locator('option:checked').textContent())?.trim()).toBe(v1)
  await expect.poll(async () => (await compare.to.locator('option:checked').textContent())?.trim()).toMatch(/^Latest/)
  await expect.poll(() => compare.changes('From')).toEqual(['removed'])
  expect(await project.alerts.count()).toBe(0)
})
