import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '..')

/**
 * Builds the app into `dist/` when there is none, as the browser bench serves the built app
 * (a fresh checkout has no `dist/`). An existing build is used as it is: rebuild it yourself
 * after changing `src/`.
 */
export const ensureBuiltApp = (): void => {
  if (existsSync(path.join(ROOT, 'dist', 'index.html'))) return
  console.error('No built app in dist/: building it (vite build)…')
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js')
  const built = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' })
  if (built.status !== 0) throw new Error(`vite build failed (exit ${String(built.status)}); the browser bench needs the built app`)
}
