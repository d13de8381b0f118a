#!/usr/bin/env node
// The `strata` command of package.json's bin: TypeScript through tsx, resolved from this package.
import { register } from 'tsx/esm/api'

register()
await import('./main.ts')
