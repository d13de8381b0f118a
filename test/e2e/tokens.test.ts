import { expect } from 'vitest'
import { seen, test } from './harness.ts'
import { itemName, seedProject } from './seed.ts'

/** A link to a place in the app that carries no token. */
const placeLink = (link: string): string => {
  const url = new URL(link)
  url.searchParams.delete('token')
  return url.toString()
}

test('an invite to a second project keeps the first one working, and the list shows both', async ({ server, people }) => {
  const mine = await seedProject(server, { name: 'Own project', items: 3, versions: ['Baseline'] })
  const theirs = await seedProject(server, { name: 'Invited project', items: 3, versions: ['Baseline'] })
  const invite = await server.createToken(theirs.id, theirs.token, 'editor')
  const ada = (await people.open('Ada', server.link(mine.id, mine.token))).project
  await expect.poll(() => ada.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)

  // Ada follows an invite to another project: it opens with the invite's token.
  await ada.visit(server.link(theirs.id, invite), 'Ada')
  await expect.poll(() => ada.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)
  expect(ada.page.url()).not.toMatch(/token=/)
  await seen(ada.explorer.cell(itemName(0)))

  // Back to her own project by a link without a token: still her owner token, not the invite's.
  await ada.visit(placeLink(server.link(mine.id, mine.token)), 'Ada')
  await expect.poll(() => ada.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)
  await expect.poll(() => ada.page.getByText(/You are Ada · owner/).count()).toBe(1)

  // The project list shows both projects.
  await ada.page.goto(new URL('/', server.link(mine.id, mine.token)).toString())
  await seen(ada.page.getByRole('link', { name: 'Own project' }))
  await seen(ada.page.getByRole('link', { name: 'Invited project' }))
})

test('an owner shares an invite link with a role; whoever opens it gets that role and no more', async ({ server, people }) => {
  const seeded = await seedProject(server, { name: 'Shared', items: 3, versions: ['Baseline'] })
  const ada = (await people.open('Ada', server.link(seeded.id, seeded.token))).project
  const share = ada.page.getByRole('group', { name: 'Share project' })
  await ada.page.getByRole('button', { name: 'Share', exact: true }).click()
  await share.getByRole('combobox', { name: 'Role' }).selectOption('viewer')
  await share.getByRole('button', { name: 'Create link' }).click()
  const linkField = share.getByRole('textbox', { name: 'Invite link' })
  await expect.poll(() => linkField.inputValue()).toMatch(/[?&]token=/)
  const link = await linkField.inputValue()
  expect(new URL(link).searchParams.get('project')).toBe(seeded.id)

  const vic = (await people.open('Vic', link)).project
  await expect.poll(() => vic.sidebar.syncStatus.textContent()).toMatch(/^\s*Online/)
  await expect.poll(() => vic.page.getByText(/You are Vic · viewer/).count()).toBe(1)
  await seen(vic.explorer.cell(itemName(0)))
})
