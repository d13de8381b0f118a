import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import type { Plugin } from 'vite'

/** Lists every built asset (workers included) so the service worker can cache them all at install. */
const assetManifest = (): Plugin => ({
  name: 'strata-asset-manifest',
  apply: 'build',
  generateBundle(_options, bundle) {
    const assets = Object.keys(bundle).filter((file) => file.startsWith('assets/')).map((file) => `/${file}`)
    this.emitFile({ type: 'asset', fileName: 'asset-manifest.json', source: JSON.stringify(assets.sort()) })
  },
})

export default defineConfig({
  plugins: [svelte(), assetManifest()],
  build: { target: 'es2022', outDir: 'dist' },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**', 'test/state/**', 'node_modules/**'], testTimeout: 20_000 },
      },
      {
        // Rune adapters need Svelte's client runtime (effects run), so resolve the browser build.
        extends: true,
        resolve: { conditions: ['browser'] },
        test: { name: 'state', include: ['test/state/**/*.test.ts'], environment: './test/state/client-environment.ts', testTimeout: 20_000 },
      },
      {
        // The built app (`vite build` first) in real Chromium against the real sync server.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          expect: { poll: { timeout: 15_000, interval: 50 } },
        },
      },
    ],
  },
})
