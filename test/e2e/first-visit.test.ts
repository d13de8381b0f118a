import { expect } from 'vitest'
import { seen, test } from './harness.ts'
import { seedProject } from './seed.ts'

test('a first visit asks for a name, then shows the project, its items, the sync state and who is here', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Harbour survey', items: 24 })
  const { project } = await people.open('Ada', server.link(seeded.id, seeded.token))
  const { sidebar, explorer } = project
  await expect.poll(() => explorer.count.textContent()).toMatch(/^\s*24 items/)
  await expect.poll(() => explorer.cells.count()).toBeGreaterThan(0)
  await expect.poll(() => sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)
  await seen(sidebar.person('Ada'))
  expect(await sidebar.versionOptions()).toEqual(['Latest'])
  await seen(sidebar.projectName('Harbour survey'))
})
