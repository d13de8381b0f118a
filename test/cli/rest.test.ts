import { createHash } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { missingBlobs, putBlob } from '../../src/cli/rest.ts'
import { createProject, startTestServer } from '../server/harness.ts'

let server: Awaited<ReturnType<typeof startTestServer>>
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

it('asks for missing blobs in requests the server accepts, however many there are', async () => {
  const project = await createProject(server.url)
  const t = { server: server.url, token: project.token, project: project.id }
  const bytes = new TextEncoder().encode('one file') as Uint8Array<ArrayBuffer>
  const stored = createHash('sha256').update(bytes).digest('hex')
  await putBlob(t, stored, bytes)
  const hashes = [stored, ...Array.from({ length: 25_000 }, (_, i) => createHash('sha256').update(String(i)).digest('hex'))]
  const missing = await missingBlobs(t, hashes)
  expect(missing.size).toBe(25_000)
  expect(missing.has(stored)).toBe(false)
})
