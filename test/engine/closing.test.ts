import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { maps } from '../../src/domain/index.ts'
import { ProjectEngine } from '../../src/engine/project.ts'

const by = { id: 'u1', name: 'Ada' }

/** A server that never answers: the project works offline. */
class NoServer {
  binaryType = 'arraybuffer'
  readyState = 0
  onopen: unknown = null
  onclose: unknown = null
  onerror: unknown = null
  onmessage: unknown = null
  send(): void {}
  close(): void {}
}

// `ProjectEngine` connects to the page's origin with the global WebSocket; Node 20 has neither.
beforeEach(() => {
  vi.stubGlobal('location', { origin: 'http://127.0.0.1:9' })
  vi.stubGlobal('WebSocket', NoServer)
})
afterEach(() => vi.unstubAllGlobals())

/** The first bytes of a PNG of `width` × 8: enough for the import to read its type and size. */
const png = (name: string, width: number): File => {
  const bytes = new Uint8Array(64)
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
  new DataView(bytes.buffer).setUint32(16, width)
  new DataView(bytes.buffer).setUint32(20, 8)
  return new File([bytes], name, { type: 'image/png' })
}

const itemsStored = async (projectId: string): Promise<number> => {
  const engine = new ProjectEngine(projectId, 't', false, () => undefined)
  const doc = await engine.ready
  const n = maps(doc).items.size
  await engine.close()
  return n
}

describe('closing a project while images are being added', () => {
  it('waits for the import to end, so its last items are stored on this device', async () => {
    const engine = new ProjectEngine('holds-1', 't', false, () => undefined)
    const doc = await engine.ready
    const files = Array.from({ length: 30 }, (_, i) => ({ file: png(`img-${i}.png`, i + 1), name: `img-${i}.png` }))
    engine.images?.add(doc, files, by)
    expect(engine.images?.state.running).toBe(true)
    expect(maps(doc).items.size).toBe(0)

    // The last tab left at once: the import still had every file to read and add.
    await engine.close()
    expect(engine.images?.state).toMatchObject({ running: false, added: 30, failed: [] })
    expect(await itemsStored('holds-1')).toBe(30)
  })

  it('closes at once when nothing is being added', async () => {
    const engine = new ProjectEngine('holds-2', 't', false, () => undefined)
    await engine.ready
    await engine.close()
    expect(await itemsStored('holds-2')).toBe(0)
  })
})
