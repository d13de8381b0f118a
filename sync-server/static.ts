import fs from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { pipeline } from 'node:stream'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.wasm': 'application/wasm', '.webmanifest': 'application/manifest+json',
}

/** A URL path percent-decoded, or null when its escapes are malformed or not UTF-8 (`/%`, `/%ff`). */
export const decodePath = (pathname: string): string | null => {
  try {
    return decodeURIComponent(pathname)
  } catch {
    return null
  }
}

/** Serves the built app from `root` at a decoded path; unknown paths get index.html so client-side routes work. */
export const serveStatic = (root: string, decoded: string, req: IncomingMessage, res: ServerResponse): void => {
  const file = resolveFile(root, decoded)
  const index = path.join(root, 'index.html')
  const chosen = file ?? (fs.existsSync(index) ? index : null)
  if (chosen === null) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end('The app is not built: run `npm run build` (or `npm start`).\n')
    return
  }
  // Vite names assets by content hash; index.html must be revalidated to pick up a new build.
  const immutable = chosen.includes(`${path.sep}assets${path.sep}`)
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(chosen)] ?? 'application/octet-stream',
    'Content-Length': fs.statSync(chosen).size,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  })
  if (req.method === 'HEAD') res.end()
  // pipeline closes the file when the client goes away and turns a read error into a reset, not a crash.
  else pipeline(fs.createReadStream(chosen), res, () => undefined)
}

// The decoded path is resolved and must stay inside root: `..`, `%2e%2e` and NUL never escape.
const resolveFile = (root: string, decoded: string): string | null => {
  if (decoded.includes('\0')) return null
  const file = path.resolve(root, `.${decoded}`)
  if (file !== root && !file.startsWith(root + path.sep)) return null
  try {
    return fs.statSync(file).isFile() ? file : null
  } catch {
    return null
  }
}
