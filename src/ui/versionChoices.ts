import type { Version, VersionRef } from '../domain/index.ts'
import { formatTime } from './context.ts'

/** Options of a version picker: latest first, then every version newest first. */
export const versionChoices = (versions: Version[]): Array<{ value: VersionRef; text: string }> => [
  { value: 'latest', text: 'Latest' },
  ...[...versions].reverse().map((v) => ({
    value: v.id,
    text: `${v.name} — ${v.by.name}, ${formatTime(v.at)}${v.kind === 'checkpoint' ? '' : ` (${v.kind})`}`,
  })),
]

/** The name a version reference is shown by. */
export const refName = (versions: Version[], ref: VersionRef): string => (ref === 'latest' ? 'Latest' : (versions.find((v) => v.id === ref)?.name ?? 'a deleted version'))
