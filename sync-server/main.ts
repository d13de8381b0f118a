import { openBackend } from './backend.ts'
import { readConfig } from './config.ts'
import { startServer } from './server.ts'
import { seedSampleProject } from './sample/seed.ts'

// Wiring only: configuration from the environment, start, print where to go, stop cleanly.
const config = readConfig(process.env, process.argv.slice(2))
const backend = await openBackend(config, { log: (msg) => console.error(msg) })
const sample = await seedSampleProject(backend, config.maxBlobBytes)
const server = await startServer(config, { backend })
if (config.databaseUrl !== undefined) console.log('Cluster mode: PostgreSQL for the log, tokens and files; Redis between processes')
console.log(`Strata listening on ${server.url}`)
if (server.adminTokenCreated || sample !== null) {
  // Printed on the start that created the token or the sample; the token is also in the data folder.
  console.log(`Admin link (keep it private): ${server.url}/?token=${server.adminToken}`)
} else if (config.adminToken === undefined) {
  console.log(`Admin token: see ${config.dataDir}/admin-token`)
}

let stopping = false
const stop = (signal: string): void => {
  if (stopping) return
  stopping = true
  console.log(`${signal}: flushing rooms and closing`)
  server.close().then(() => process.exit(0), (e: unknown) => {
    console.error(`shutdown failed: ${(e as Error).message}`)
    process.exit(1)
  })
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
