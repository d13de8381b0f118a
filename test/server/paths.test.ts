import { createHash } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createProject, rawSocket, startTestServer, tempDir } from './harness.ts'

const parent = tempDir()
const dataDir = path.join(parent, 'data')
const distDir = path.join(parent, 'dist')
let server: Awaited<ReturnType<typeof startTestServer>>
let project: { id: string, token: string }

// Every file under `dir` with its size and mtime, to prove nothing outside the data folder changed.
const tree = (dir: string): Map<string, string> => {
  const out = new Map<string, string>()
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name)
    if (full.startsWith(dataDir)) continue
    const st = fs.statSync(full)
    out.set(full, `${st.size}:${st.mtimeMs}`)
  }
  return out
}

// Raw requests: fetch would normalise `..` away before it reaches the server.
const request = (method: string, route: string, token: string | null, body?: Buffer) =>
  new Promise<{ status: number, body: Buffer, headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const { port } = new URL(server.url)
    const req = http.request({ host: '127.0.0.1', port, method, path: route, headers: token === null ? {} : { Authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }))
    })
    req.on('error', reject)
    req.end(body)
  })

// A websocket upgrade by hand, so the path reaches the server exactly as written; answers the
// close frame the server sent first (or the HTTP status if it refused the upgrade).
const upgrade = (route: string) => new Promise<{ status: number, code?: number, reason?: string }>((resolve, reject) => {
  const { port } = new URL(server.url)
  const req = http.request({
    host: '127.0.0.1', port, path: route,
    headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13' },
  })
  req.on('response', (res) => { res.resume(); resolve({ status: res.statusCode ?? 0 }) })
  req.on('upgrade', (_res, socket, head: Buffer) => {
    const first = (frame: Buffer): void => {
      socket.destroy()
      // The first frame must be a close frame (0x88): no document byte came before it.
      if (frame[0] !== 0x88) return resolve({ status: 101 })
      resolve({ status: 101, code: frame.readUInt16BE(2), reason: frame.subarray(4, 2 + (frame[1] ?? 0)).toString() })
    }
    if (head.length > 0) first(head)
    else socket.once('data', first)
  })
  req.on('error', reject)
  req.end()
})

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

let before: Map<string, string>
beforeAll(async () => {
  fs.mkdirSync(distDir)
  fs.writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><title>Strata</title>')
  fs.writeFileSync(path.join(parent, 'secret.txt'), 'SECRET')
  before = tree(parent)
  server = await startTestServer(dataDir, { staticDir: distDir, maxBlobBytes: 4096 })
  project = await createProject(server.url)
})
afterAll(() => server.close())

const HOSTILE = ['..', '../..', '..%2F..%2Fsecret.txt', '%2e%2e%2f', '%2e%2e', '.%00.', 'a%00b', 'x'.repeat(10_000), '%', '%C0%AE%C0%AE']

describe('hostile names', () => {
  test('room names like ../.., %2e%2e%2f, NUL or 10 KB strings are refused with 4400', async () => {
    for (const name of HOSTILE) {
      expect(await upgrade(`/sync/${name}?token=admin-secret`), name.slice(0, 20)).toEqual({ status: 101, code: 4400, reason: 'invalid project id' })
    }
    const ok = await rawSocket(server.url, `/sync/${project.id}?token=admin-secret`)
    await new Promise((r) => setTimeout(r, 50))
    expect(ok.received.length).toBeGreaterThan(0)
    ok.ws.close()
  })

  test('blob hashes and project ids of that kind get a 4xx and touch no file', async () => {
    for (const name of HOSTILE) {
      for (const method of ['GET', 'HEAD', 'PUT']) {
        const blob = await request(method, `/api/projects/${project.id}/blobs/${name}`, project.token, Buffer.from('SECRET'))
        expect(blob.status, `${method} blob ${name.slice(0, 20)}`).toBeGreaterThanOrEqual(400)
        expect(blob.status).toBeLessThan(500)
        const proj = await request(method, `/api/projects/${name}/blobs/${sha(Buffer.from('SECRET'))}`, 'admin-secret', Buffer.from('SECRET'))
        expect(proj.status, `${method} project ${name.slice(0, 20)}`).toBeGreaterThanOrEqual(400)
        expect(proj.status).toBeLessThan(500)
      }
    }
    for (const route of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2f%2e%2e%2fsecret.txt', '/a%00/../../secret.txt']) {
      const res = await request('GET', route, null)
      expect(res.body.toString()).not.toContain('SECRET')
    }
    expect(tree(parent)).toEqual(before)
  })
})

describe('blobs', () => {
  test('upload is verified against its hash, capped, immutable, and the missing-list names only what the server lacks', async () => {
    const bytes = Buffer.from('an image, honestly')
    const hash = sha(bytes)
    const route = `/api/projects/${project.id}/blobs/${hash}`
    expect((await request('PUT', route, project.token, Buffer.from('other bytes'))).status).toBe(400)
    expect((await request('GET', route, project.token)).status).toBe(404)
    expect((await request('PUT', route, project.token, bytes)).status).toBe(201)
    expect((await request('PUT', route, project.token, bytes)).status).toBe(200)
    const got = await request('GET', route, project.token)
    expect(got.body.equals(bytes)).toBe(true)
    expect(got.headers['cache-control']).toContain('immutable')
    const head = await request('HEAD', route, project.token)
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe(String(bytes.length))

    const big = Buffer.alloc(5000, 1)
    expect((await request('PUT', `/api/projects/${project.id}/blobs/${sha(big)}`, project.token, big)).status).toBe(413)

    const absent = sha(Buffer.from('never uploaded'))
    const missing = await request('POST', `/api/projects/${project.id}/blobs/missing`, project.token, Buffer.from(JSON.stringify({ hashes: [hash, absent] })))
    expect(JSON.parse(missing.body.toString())).toEqual({ missing: [absent] })
    const other = await createProject(server.url, 'Other')
    expect((await request('GET', route, other.token)).status).toBe(403)
    expect(fs.readdirSync(path.join(dataDir, 'blobs', '.incoming'))).toEqual([])
  })

  test('serves the app with an index.html fallback', async () => {
    const res = await request('GET', '/projects/anything', null)
    expect(res.status).toBe(200)
    expect(res.body.toString()).toContain('<title>Strata</title>')
  })
})
