import { expect } from 'vitest'
import { addRun, maps } from '../../src/domain/index.ts'
import { seen, test } from './harness.ts'
import { SEEDER, connectReplica, putBlob, seedProject } from './seed.ts'

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
  const table = page.getByRole('table', { name: 'Metrics per class' })
  await seen(table)
  const overall = table.getByRole('row').filter({ hasText: 'All classes' })
  // 36 labels, all found: AP50 = AP = 1, P = 36/37, R = 1, TP/FP/FN 36/1/0.
  expect((await overall.textContent())?.replace(/\s+/g, ' ')).toContain('1.000 1.000 0.973 1.000')
  expect(await overall.textContent()).toContain('36 / 1 / 0')
  await seen(page.getByRole('img', { name: /^Precision-recall curve: All classes/ }))
  expect(await project.alerts.count()).toBe(0)
})
