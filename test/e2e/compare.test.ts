import { expect } from 'vitest'
import { seen, test } from './harness.ts'
import { itemName, seedProject } from './seed.ts'
import { ComparePanel } from './pages/ComparePanel.ts'

test('comparing two versions shows their change counts and an item side by side', async ({ server, people }) => {
  // Round 1 moves one of the 36 seeded labels by a pixel (seed.ts editRound).
  const seeded = await seedProject(server, { name: 'Compare story', items: 12, versions: ['Baseline', 'Round 1'] })
  const { project } = await people.open('Ada', server.link(seeded.id, seeded.token))
  const compare = new ComparePanel(project.page)
  await expect.poll(() => project.explorer.count.textContent()).toMatch(/^\s*12 items/)

  // Draw a box and tag an item on latest, so latest differs from Round 1 as well.
  const edited = itemName(4)
  const view = await project.openItem(edited)
  await view.drawBox([0.55, 0.55], [0.9, 0.9])
  await view.addTag('checked')
  await view.close()

  await compare.show()
  await compare.pick('from', 'Baseline')
  await compare.pick('to', 'Round 1')
  await expect.poll(() => compare.total.textContent()).toMatch(/^1 change$/)
  expect(await compare.count('Labels', 'changed')).toBe(1)
  expect(await compare.count('Labels', 'added')).toBe(0)
  expect(await compare.count('Items', 'added')).toBe(0)
  await expect.poll(() => compare.items.count()).toBe(1)
  const moved = ((await compare.items.first().getByRole('button').textContent()) ?? '').replace(/changed$/, '').trim()
  await compare.openItem(moved)
  await seen(compare.side('From'))
  // Before: the moved box dashed where it was; after: solid where it is now, with the old place dashed.
  expect(await compare.changes('From')).toEqual(['before', 'same', 'same'])
  expect(await compare.changes('To')).toEqual(['before', 'changed', 'same', 'same'])

  // Round 1 against latest: the drawn box and the tag, on the edited item.
  await compare.pick('from', 'Round 1')
  await compare.pick('to', 'Latest')
  await expect.poll(() => compare.count('Labels', 'added')).toBe(1)
  expect(await compare.count('Tags', 'added')).toBe(1)
  expect(await compare.count('Labels', 'changed')).toBe(0)
  await compare.openItem(edited)
  await expect.poll(() => compare.changes('To')).toEqual(['added', 'same', 'same', 'same'])
  expect(await compare.changes('From')).toEqual(['same', 'same', 'same'])
  expect(await compare.side('To').textContent()).toContain('checked')
  expect(await project.alerts.count()).toBe(0)
})
