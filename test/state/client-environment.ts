import type { Environment } from 'vitest/environments'

/**
 * Node globals, but modules transformed for the client: `.svelte.ts` files compile to
 * Svelte's client runtime, so effects run and `flushSync` flushes them.
 */
export default {
  name: 'svelte-client',
  viteEnvironment: 'client',
  setup: () => ({ teardown: () => undefined }),
} satisfies Environment
