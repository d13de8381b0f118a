import fs from 'node:fs/promises'
import { expect } from 'vitest'
import { readProject } from '../../src/domain/index.ts'
import { parseCoco } from '../../src/io/index.ts'
import { seen, test } from './harness.ts'
import { connectReplica, png, seedProject } from './seed.ts'

const file = (name: string, bytes: Uint8Array | string, mimeType: string) => ({ name, mimeType, buffer: Buffer.from(bytes) })

test('images, a COCO file and a predictions file go in through the UI, are on the server, and COCO comes back out', async ({ server, people }) => {
  // One seeded item: the page object waits for the grid, which an empty project does not show.
  const created = await seedProject(server, { name: 'Imports', items: 1, labelsPerItem: 0 })
  const { project } = await people.open('Ada', server.link(created.id, created.token))
  const page = project.page
  await page.locator('input[type=file][accept="image/*"]').setInputFiles([
    file('a.png', png(64, 48, [200, 30, 30]), 'image/png'),
    file('b.png', png(32, 32, [30, 30, 200]), 'image/png'),
  ])
  await expect.poll(() => project.explorer.count.textContent()).toMatch(/^\s*3 items/)
  await seen(page.getByRole('status').filter({ hasText: '2 images added' }))

  const coco = {
    images: [{ id: 1, file_name: 'a.png', width: 64, height: 48 }, { id: 2, file_name: 'b.png', width: 32, height: 32 }, { id: 3, file_name: 'c.png', width: 8, height: 8 }],
    categories: [{ id: 1, name: 'boat' }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [16, 12, 32, 24] }, { id: 2, image_id: 2, category_id: 1, bbox: [8, 8, 16, 16] }],
  }
  await page.locator('input[type=file][accept=".json,application/json"]').first().setInputFiles(file('coco.json', JSON.stringify(coco), 'application/json'))
  const dialog = page.getByRole('dialog', { name: 'Import coco.json' })
  await seen(dialog.getByText('0 images added, 2 matched by file name, 1 skipped'))
  await dialog.getByRole('button', { name: 'Import', exact: true }).click()
  await seen(page.getByRole('status', { name: 'COCO import report' }).getByText('2 labels added'))

  await page.getByRole('button', { name: 'Import predictions' }).click()
  const runDialog = page.getByRole('dialog', { name: 'Import predictions' })
  const results = [{ image_id: 1, category_id: 1, bbox: [15, 12, 30, 24], score: 0.8 }, { image_id: 2, category_id: 1, bbox: [1, 1, 5, 5], score: 0.3 }]
  await runDialog.locator('input[type=file]').nth(0).setInputFiles(file('results.json', JSON.stringify(results), 'application/json'))
  await runDialog.locator('input[type=file]').nth(1).setInputFiles(file('coco.json', JSON.stringify(coco), 'application/json'))
  await runDialog.getByLabel('Run name').fill('first model')
  await runDialog.getByRole('button', { name: 'Import', exact: true }).click()
  await seen(page.getByRole('status').filter({ hasText: 'Run "first model": 2 predictions on 2 images' }))

  const replica = await connectReplica(server, created.id, created.token)
  try {
    await expect.poll(() => readProject(replica.doc).runs.map((r) => r.name)).toEqual(['first model'])
    const p = readProject(replica.doc)
    expect(p.items.filter((i) => i.name.endsWith('b.png') || i.name === 'a.png').map((i) => [i.name, i.width, i.height, i.labels.length]).sort()).toEqual([['a.png', 64, 48, 1], ['b.png', 32, 32, 1]])
    // Every file reaches the server through the outbox: both images and the run's predictions.
    for (const blob of [...p.items.filter((i) => i.labels.length).map((i) => i.blob), p.runs[0]!.blob]) {
      await expect.poll(async () => (await fetch(`${server.url}/api/projects/${created.id}/blobs/${blob}`, { method: 'HEAD', headers: { authorization: `Bearer ${created.token}` } })).status).toBe(200)
    }
  } finally {
    replica.close()
  }

  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export COCO' }).click()
  const exported = parseCoco(JSON.parse(await fs.readFile((await (await download).path())!, 'utf8')))
  if (!exported.ok) throw new Error(exported.error)
  expect(exported.value.images.map((i) => i.file_name).sort()).toEqual(['a.png', 'b.png', 'item-00001.png'])
  expect(exported.value.annotations).toHaveLength(2)
})
