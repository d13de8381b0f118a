import Database from 'better-sqlite3'
import type { Role } from '../../src/wire.ts'
import { planCompaction } from './compaction.ts'
import type { Appended, ProjectRow, Storage, TokenRow } from './types.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS projects (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,
  project_id TEXT NOT NULL REFERENCES projects(id),
  role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  created_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE TABLE IF NOT EXISTS updates (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS updates_by_room ON updates (room, seq);
`

interface TokenDbRow {
  id: string
  project_id: string
  role: Role
  created_at: number
  revoked_at: number | null
}

const toToken = (r: TokenDbRow): TokenRow => ({
  id: r.id, projectId: r.project_id, role: r.role, createdAt: r.created_at, revoked: r.revoked_at !== null,
})

const toProject = (r: { id: string, name: string, created_at: number }): ProjectRow =>
  ({ id: r.id, name: r.name, createdAt: r.created_at })

/** Opens (creating if needed) the SQLite store at `file`, in WAL mode. */
export const openSqliteStorage = (file: string): Storage => {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  // WAL + NORMAL survives a killed process (the guarantee asked for); an fsync per edit
  // would only add safety against power loss, at a large cost in throughput.
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.exec(SCHEMA)

  const q = {
    rows: db.prepare<[string, number], { seq: number, data: Buffer }>('SELECT seq, data FROM updates WHERE room = ? AND seq > ? ORDER BY seq'),
    append: db.prepare<[string, Uint8Array]>('INSERT INTO updates (room, data) VALUES (?, ?)'),
    put: db.prepare<[number, string, Uint8Array]>('INSERT INTO updates (seq, room, data) VALUES (?, ?, ?)'),
    count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM updates WHERE room = ?'),
    top: db.prepare<[string], { seq: number | null }>('SELECT max(seq) AS seq FROM updates WHERE room = ?'),
    dropRange: db.prepare<[string, number, number]>('DELETE FROM updates WHERE room = ? AND seq >= ? AND seq <= ?'),
    addProject: db.prepare<[string, string, number]>('INSERT INTO projects (id, name, created_at) VALUES (?, ?, ?)'),
    project: db.prepare<[string], { id: string, name: string, created_at: number }>('SELECT * FROM projects WHERE id = ?'),
    projects: db.prepare<[], { id: string, name: string, created_at: number }>('SELECT * FROM projects ORDER BY created_at, id'),
    addToken: db.prepare<[string, string, string, Role, number]>(
      'INSERT INTO tokens (id, hash, project_id, role, created_at) VALUES (?, ?, ?, ?, ?)'),
    token: db.prepare<[string], TokenDbRow>('SELECT * FROM tokens WHERE hash = ?'),
    tokens: db.prepare<[string], TokenDbRow>('SELECT * FROM tokens WHERE project_id = ? ORDER BY created_at, id'),
    revoke: db.prepare<[number, string, string]>(
      'UPDATE tokens SET revoked_at = ? WHERE project_id = ? AND id = ? AND revoked_at IS NULL'),
  }

  const readLog = (room: string, after: number) => q.rows.all(room, after).map((r) => ({ seq: r.seq, data: new Uint8Array(r.data) }))

  // One transaction, so a crash mid-compaction leaves either the old log or the merged row.
  // One process owns the file, so nobody else compacts meanwhile.
  const compact = db.transaction((room: string): boolean => {
    const plan = planCompaction(readLog(room, 0))
    if (plan === null) return true
    q.dropRange.run(room, plan.first, plan.last)
    q.put.run(plan.last, room, plan.merged)
    return true
  })

  const append = db.transaction((room: string, update: Uint8Array): Appended => {
    const prev = q.top.get(room)?.seq ?? 0
    const seq = Number(q.append.run(room, update).lastInsertRowid)
    return { seq, prev, rows: q.count.get(room)?.n ?? 0 }
  })

  return {
    readLog: async (room, after = 0) => readLog(room, after),
    appendUpdate: async (room, update) => append(room, update),
    compact: async (room) => compact(room),
    createProject: async (p) => { q.addProject.run(p.id, p.name, p.createdAt) },
    getProject: async (id) => { const r = q.project.get(id); return r && toProject(r) },
    listProjects: async () => q.projects.all().map(toProject),
    createToken: async (t, hash) => { q.addToken.run(t.id, hash, t.projectId, t.role, t.createdAt) },
    findToken: async (hash) => { const r = q.token.get(hash); return r && toToken(r) },
    listTokens: async (projectId) => q.tokens.all(projectId).map(toToken),
    revokeToken: async (projectId, tokenId) => q.revoke.run(Date.now(), projectId, tokenId).changes > 0,
    close: async () => { db.close() },
  }
}
