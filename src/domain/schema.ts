import { isSha256 } from './ids.ts'
import { parseTagKey } from './tags.ts'
import { cocoRefProblem } from './cocoRef.ts'

/**
 * One validator per record, for values that come from outside this replica: an update a
 * client sent the server, or a record another client or an older schema wrote. Each
 * answers null when the value is acceptable, else the reason.
 */
type Check = (key: string, value: unknown) => string | null

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isText = (v: unknown, max = 1000): v is string => typeof v === 'string' && v.length <= max
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0
const isActor = (v: unknown): boolean => isObject(v) && isText(v.id, 200) && isText(v.name, 200)
const isKind = (v: unknown): boolean => v === 'checkpoint' || v === 'discarded' || v === 'restored'
const isBox = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n)) && (v[2] as number) > 0 && (v[3] as number) > 0

const fields = (checks: Record<string, (v: unknown) => boolean>, coco?: 'item' | 'class' | 'label'): Check => (_key, value) => {
  if (!isObject(value)) return 'not an object'
  for (const [name, ok] of Object.entries(checks)) if (!ok(value[name])) return `bad field "${name}"`
  return coco === undefined ? null : cocoRefProblem(value.coco, coco)
}

const META: Record<string, (v: unknown) => boolean> = { schema: isCount, name: (v) => isText(v, 200), createdAt: isTime, coco: (v) => cocoRefProblem({ id: 1, extra: v }, 'item') === null }

/** The validator of each content map and of `versions`. */
export const RECORD_CHECKS: Record<string, Check> = {
  meta: (key, value) => (META[key] ? (META[key](value) ? null : 'bad value') : 'unknown field'),
  classes: fields({ name: (v) => isText(v, 200) && v.trim() !== '', color: (v) => typeof v === 'string' && /^#[0-9a-f]{6}$/i.test(v) }, 'class'),
  items: fields({
    name: (v) => isText(v, 1000), blob: isSha256, mime: (v) => isText(v, 100), width: isCount, height: isCount, addedAt: isTime, addedBy: isActor,
  }, 'item'),
  labels: fields({ itemId: (v) => isText(v, 100), classId: (v) => isText(v, 100), bbox: isBox, by: isActor, at: isTime }, 'label'),
  tags: (key, value) => (parseTagKey(key) === null ? 'bad tag key' : value === true ? null : 'tag value must be true'),
  runs: fields({ name: (v) => isText(v, 200), model: (v) => isText(v, 200), blob: isSha256, count: isCount, createdAt: isTime, by: isActor }),
  versions: fields({
    name: (v) => isText(v, 200), description: (v) => isText(v, 10_000), by: isActor, at: isTime,
    kind: isKind, snapshot: (v) => v instanceof Uint8Array, base: (v) => v === null || isText(v, 100), stats: isObject,
  }),
  deletedVersions: fields({ name: (v) => isText(v, 200), by: isActor, at: isTime, kind: isKind, deletedBy: isActor, deletedAt: isTime }),
}

/** Why a record of top-level map `map` under `key` is malformed, or null when it is fine. */
export const recordProblem = (map: string, key: string, value: unknown): string | null => {
  const check = RECORD_CHECKS[map]
  return check ? check(key, value) : null
}
