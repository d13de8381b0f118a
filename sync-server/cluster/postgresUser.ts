import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { ServiceError } from './startup.ts'

/** The system user PostgreSQL runs as when we are root (PostgreSQL refuses to run as root). */
export const POSTGRES_USER = 'strata-pg'

/** A user to run a child process as. */
export interface RunAs {
  name: string
  uid: number
  gid: number
}

const lookUp = (name: string): RunAs | null => {
  try {
    const id = (flag: string): number => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: 'pipe' }).trim())
    return { name, uid: id('-u'), gid: id('-g') }
  } catch {
    return null
  }
}

/**
 * Who runs initdb and postgres: the current user (null), or as root the system user
 * `strata-pg`, created on first use. Two test files may create it at once, so a failed
 * `useradd` counts as success when the user exists afterwards.
 */
export const postgresUser = (): RunAs | null => {
  if (process.getuid?.() !== 0) return null
  const existing = lookUp(POSTGRES_USER)
  if (existing !== null) return existing
  const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', POSTGRES_USER], { encoding: 'utf8' })
  const user = lookUp(POSTGRES_USER)
  if (user === null) {
    throw new ServiceError(`PostgreSQL refuses to run as root, and the system user ${POSTGRES_USER} could not be created: ${made.error?.message ?? made.stderr.trim()}`)
  }
  return user
}

const searchable = (stat: fs.Stats, user: RunAs): boolean => {
  if (stat.uid === user.uid) return (stat.mode & 0o100) !== 0
  if (stat.gid === user.gid) return (stat.mode & 0o010) !== 0
  return (stat.mode & 0o001) !== 0
}

/** Every folder above `dir`, from the root down. */
const foldersAbove = (dir: string): string[] => {
  const folders: string[] = []
  for (let folder = path.dirname(path.resolve(dir)); ; folder = path.dirname(folder)) {
    folders.unshift(folder)
    if (folder === path.dirname(folder)) return folders
  }
}

/** Throws, naming the folder, when `user` cannot pass through every folder above `dir`. */
export const assertReachable = (dir: string, user: RunAs): void => {
  for (const step of foldersAbove(dir)) {
    const stat = fs.statSync(step)
    if (searchable(stat, user)) continue
    throw new ServiceError(
      `PostgreSQL runs as the system user ${user.name} (it refuses root), which cannot enter ${step} ` +
      `(mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, owner uid ${stat.uid}): ` +
      `allow passing through it (chmod o+x ${step}) or keep the PostgreSQL data in a folder ${user.name} can reach`,
    )
  }
}

/** Creates `dir` (mode 0700) for `user`'s data, its parents as usual; a no-op for folders that exist. */
export const makeOwnDir = (dir: string, user: RunAs | null): void => {
  fs.mkdirSync(path.dirname(dir), { recursive: true })
  if (user !== null) assertReachable(dir, user)
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { mode: 0o700 })
  if (user !== null) fs.chownSync(dir, user.uid, user.gid)
}
