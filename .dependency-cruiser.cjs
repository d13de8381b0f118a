// The layers of DESIGN.md, checked by `npm run lint` (lint/layers.mjs runs dependency-cruiser
// with this file). Direct imports only: a rule names what a folder may not import itself.
// Type-only imports count too (`tsPreCompilationDeps`, and lint/layers.mjs for components),
// so `import type * as Y from 'yjs'` in the UI is a violation, while type-only imports of
// domain types from the UI are fine because no rule forbids the UI the domain.

const yjsFamily = '(^|/)node_modules/(yjs|y-protocols|y-websocket|y-indexeddb|lib0)/'
const engineSide = '^src/(sync|engine)/'
const core = '^src/(domain|io|quality)/'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'ui-not-yjs',
      comment: 'src/ui renders state and sends commands; Yjs and its protocols live in the engine (DESIGN.md).',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: yjsFamily },
    },
    {
      name: 'ui-not-engine',
      comment: 'src/ui talks to the engine through src/state, never to src/sync or src/engine itself.',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: engineSide },
    },
    {
      name: 'core-not-app',
      comment: 'The core (domain, io, quality) runs in the worker, the CLI and the server: no UI, state, sync or engine.',
      severity: 'error',
      from: { path: core },
      to: { path: '^src/(ui|state|sync|engine)/' },
    },
    {
      name: 'core-not-svelte',
      comment: 'The core is plain TypeScript: no Svelte.',
      severity: 'error',
      from: { path: core },
      to: { path: '(^|/)node_modules/svelte/' },
    },
    {
      name: 'core-not-node',
      comment: 'The core runs in a browser worker as well as in Node: no Node built-ins.',
      severity: 'error',
      from: { path: core },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-no-cycles',
      comment: 'Modules of the core do not import each other in a circle at run time (a circle closed by a type-only import is harmless).',
      severity: 'error',
      from: { path: core },
      to: { path: core, circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'state-not-ui',
      comment: 'src/state feeds the UI; it does not import it.',
      severity: 'error',
      from: { path: '^src/state/' },
      to: { path: '^src/ui/' },
    },
    {
      name: 'server-not-app',
      comment: 'The sync server shares the core and the wire contract with the app, not its UI, state, sync or engine.',
      severity: 'error',
      from: { path: '^sync-server/' },
      to: { path: '^src/(ui|state|sync|engine)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing would slip past every rule above.',
      severity: 'error',
      from: { path: '^(src|sync-server)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'svelte', 'browser', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.svelte', '.json'],
    },
  },
}
