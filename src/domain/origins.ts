/**
 * Transaction origins. Providers and the UndoManager tell writes apart by these:
 * the UndoManager tracks LOCAL only, so a revert or an import is never "undone" by Ctrl+Z.
 */
export const LOCAL = 'strata:local'
export const REMOTE = 'strata:remote'
export const IMPORT = 'strata:import'
export const REVERT = 'strata:revert'
export const MIGRATION = 'strata:migration'

export type Origin = typeof LOCAL | typeof REMOTE | typeof IMPORT | typeof REVERT | typeof MIGRATION
