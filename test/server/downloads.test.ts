import { createHash } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import { afterEach, describe, expect, test } from 'vitest'
import { createProject, startTestServer, waitFor } from './harness.ts'

const openFiles = (): number => fs.readdirSync('/proc/self/fd').length

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

describe('blob downloads', () => {
  test.runIf(fs.existsSync('/proc/self/fd'))('downloads a client abandons half-way leave no file open, and the server keeps serving', async () => {
    const server = await startTestServer()
    cleanup.push(() => server.close())
    const project = await createProject(server.url, 'Images')
    const bytes = Buffer.alloc(8 * 1024 * 1024, 7)
    const hash = createHash('sha256').update(bytes).digest('hex')
    const route = `/api/projects/${project.id}/blobs/${hash}`
    const put = await fetch(`${server.url}${route}`, { method: 'PUT', headers: { Authorization: `Bearer ${project.token}` }, body: bytes })
    expect(put.status).toBeLessThan(300)

    const before = openFiles()
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`${server.url}${route}`, { headers: { Authorization: `Bearer ${project.token}` } }, (res) => {
          // Read one chunk of the 8 MB, then walk away.
          res.once('data', () => {
            req.destroy()
            resolve()
          })
        })
        req.on('error', (e) => (req.destroyed ? resolve() : reject(e)))
      })
    }
    await waitFor(() => openFiles() <= before + 2, 5000, 'abandoned downloads closed their files')
    const whole = await fetch(`${server.url}${route}`, { headers: { Authorization: `Bearer ${project.token}` } })
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true)
  })
})

describe('blob uploads over the cap', () => {
  test('a streamed upload without a length that passes the cap gets a 413 with the reason, not a reset', async () => {
    const server = await startTestServer(undefined, { maxBlobBytes: 64 * 1024 })
    cleanup.push(() => server.close())
    const project = await createProject(server.url, 'Images')
    const hash = 'a'.repeat(64)
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      let answered = false
      const req = http.request(`${server.url}/api/projects/${project.id}/blobs/${hash}`, { method: 'PUT', headers: { Authorization: `Bearer ${project.token}` } }, (res) => {
        answered = true
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      // Once answered, the server may close while the rest is still being sent: that is expected.
      req.on('error', (e) => answered || reject(e))
      // Chunked, no Content-Length: the server learns the size only while reading.
      const chunk = Buffer.alloc(16 * 1024, 1)
      let sent = 0
      const pump = (): void => {
        while (sent < 32 && req.write(chunk)) sent++
        if (sent < 32) req.once('drain', pump)
        else req.end()
      }
      pump()
    })
    expect(answer.status).toBe(413)
    expect(answer.body).toMatch(/blob over 65536 bytes/)
    expect(fs.existsSync(`${server.dataDir}/blobs/${project.id}/${hash}`)).toBe(false)
  })
})
