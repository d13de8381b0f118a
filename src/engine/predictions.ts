import type { BBox, ClassId, ItemId, RunId } from '../domain/index.ts'
import type { FileStore } from './opened.ts'
import type { Prediction, ProjectTopic, RunOption } from './protocol.ts'

const isBBox = (v: unknown): v is BBox => Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n))

/** Reads a COCO results file (image_id = item id, category_id = class id); skips malformed rows. */
export const parseCocoResults = (json: unknown): Map<ItemId, Prediction[]> => {
  const out = new Map<ItemId, Prediction[]>()
  if (!Array.isArray(json)) return out
  for (const row of json as unknown[]) {
    if (!row || typeof row !== 'object') continue
    const r = row as Record<string, unknown>
    if (typeof r.image_id !== 'string' || typeof r.category_id !== 'string' || !isBBox(r.bbox) || typeof r.score !== 'number') continue
    const list = out.get(r.image_id as ItemId) ?? []
    list.push({ classId: r.category_id as ClassId, bbox: r.bbox, score: r.score })
    out.set(r.image_id as ItemId, list)
  }
  return out
}

/** The prediction run a tab draws over the items, with its confidence threshold. */
export class ShownPredictions {
  #runId: RunId | '' = ''
  #threshold = 0.5
  #loaded: { runId: RunId; byItem: Map<ItemId, Prediction[]> } | null = null
  #loading: RunId | null = null
  #error: string | null = null

  constructor(
    readonly blobs: FileStore,
    readonly changed: () => void,
  ) {}

  get topic(): ProjectTopic['predictions'] {
    return { runId: this.#runId, threshold: this.#threshold, loading: this.#loading !== null, error: this.#error }
  }

  /** Shows a run (loading its file from IndexedDB or the server) at a threshold; '' shows none. */
  async show(run: RunOption | null, threshold: number): Promise<void> {
    this.#runId = run?.id ?? ''
    this.#threshold = threshold
    this.#error = null
    this.changed()
    if (!run || this.#loaded?.runId === run.id) return
    this.#loading = run.id
    try {
      const blob = await this.blobs.get(run.blob)
      if (!blob) throw new Error(`The predictions of run "${run.name}" are not on this device or the server yet`)
      const byItem = parseCocoResults(JSON.parse(await blob.text()))
      if (this.#runId === run.id) this.#loaded = { runId: run.id, byItem }
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error)
    } finally {
      if (this.#loading === run.id) this.#loading = null
      this.changed()
    }
  }

  /** The shown run's boxes on one item at or above the threshold. */
  of = (itemId: ItemId): Prediction[] => {
    const loaded = this.#loaded
    if (!loaded || loaded.runId !== this.#runId) return []
    return (loaded.byItem.get(itemId) ?? []).filter((p) => p.score >= this.#threshold)
  }
}
