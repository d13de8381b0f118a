import fs from 'node:fs/promises'
import { expect } from 'vitest'
import { type VersionId, addLabel, createVersion, openVersion, readProject, setTag } from '../../src/domain/index.ts'
import { parseYolo, readZip } from '../../src/io/index.ts'
import { seen, test } from './harness.ts'
import { SEEDER, connectReplica, seedProject } from './seed.ts'

test('the export menu\'s YOLO entry downloads one zip of the open version, split by tags, whose labels and images parse back', async ({ server, people }) => {
  const created = await seedProject(server, { name: 'Yolo', items: 4, labelsPerItem: 2 })
  const replica = await connectReplica(server, created.id, created.token)
  let v1Id: VersionId
  try {
    const p = readProject(replica.doc)
    setTag(replica.doc, p.items[1]!.id, 'val', true)
    setTag(replica.doc, p.items[2]!.id, 'test', true)
    addLabel(replica.doc, p.items[0]!.id, { classId: p.classes[0]!.id, bbox: [1 / 3, 7.123457, 20.5, 11.25] }, SEEDER)
    v1Id = createVersion(replica.doc, { name: 'v1' }, SEEDER).id
    // Latest moves on: the download must be v1's, the version on screen.
    addLabel(replica.doc, p.items[0]!.id, { classId: p.classes[1]!.id, bbox: [0, 0, 4, 4] }, SEEDER)
    await new Promise((resolve) => setTimeout(resolve, 300))
  } finally {
    replica.close()
  }
  const check = await connectReplica(server, created.id, created.token)
  const v1 = readProject(openVersion(check.doc, v1Id))
  check.close()
  expect(v1.items.reduce((n, i) => n + i.labels.length, 0)).toBe(9)

  const { project } = await people.open('Ada', server.link(created.id, created.token, { version: v1Id }))
  const page = project.page
  await seen(project.readOnlyBanner.filter({ hasText: 'v1' }))
  await page.getByText('YOLO options').click()
  await page.getByLabel('Split train / val / test by tags').check()
  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export YOLO' }).click()
  const file = await download
  expect(file.suggestedFilename()).toBe('Yolo-v1.yolo.zip')
  await seen(page.getByRole('status', { name: 'YOLO export report' }).getByText('4 images (train 2, val 1, test 1), 9 labels, 3 classes'))

  const zip = readZip(new Uint8Array(await fs.readFile((await file.path())!)))
  if (!zip.ok) throw new Error(zip.error)
  const parsed = parseYolo(zip.value)
  if (!parsed.ok) throw new Error(parsed.error)
  const { names, splits } = parsed.value
  expect(names.slice().sort()).toEqual(['circle', 'square', 'triangle'])
  expect(Object.fromEntries(Object.entries(splits).map(([s, e]) => [s, e.map((x) => x.image)]))).toEqual({
    train: ['images/train/item-00001.png', 'images/train/item-00004.png'], val: ['images/val/item-00002.png'], test: ['images/test/item-00003.png'],
  })
  const className = new Map(v1.classes.map((c) => [c.id as string, c.name]))
  let boxes = 0
  for (const entry of Object.values(splits).flat()) {
    const item = v1.items.find((i) => entry.image.endsWith(`/${i.name}`))!
    // Every image is in the archive, byte for byte the blob the server holds.
    const blob = await fetch(`${server.url}/api/projects/${created.id}/blobs/${item.blob}`, { headers: { authorization: `Bearer ${created.token}` } })
    expect(Buffer.from(zip.value.get(entry.image)!)).toEqual(Buffer.from(await blob.arrayBuffer()))
    expect(entry.boxes.map((b) => names[b.classIndex])).toEqual(item.labels.map((l) => className.get(l.classId)))
    entry.boxes.forEach((b, i) => {
      const [x, y, w, h] = item.labels[i]!.bbox
      const back = [(b.cx - b.w / 2) * item.width, (b.cy - b.h / 2) * item.height, b.w * item.width, b.h * item.height]
      ;[x, y, w, h].forEach((v, k) => expect(Math.abs(back[k]! - v)).toBeLessThanOrEqual(1e-6 * (k % 2 ? item.height : item.width)))
      boxes++
    })
  }
  expect(boxes).toBe(9)
})
