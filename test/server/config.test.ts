import { describe, expect, test } from 'vitest'
import { readConfig } from '../../sync-server/config.ts'

const cluster = { STRATA_DATABASE_URL: 'postgres://strata:pw@127.0.0.1:5432/strata', STRATA_REDIS_URL: 'redis://127.0.0.1:6379', STRATA_ADMIN_TOKEN: 'secret' }

describe('cluster mode configuration', () => {
  test('neither URL: the embedded single process', () => {
    expect(readConfig({})).toMatchObject({ databaseUrl: undefined, redisUrl: undefined })
  })

  test('both URLs and the shared admin token select the cluster mode', () => {
    expect(readConfig(cluster)).toMatchObject({ databaseUrl: cluster.STRATA_DATABASE_URL, redisUrl: cluster.STRATA_REDIS_URL })
  })

  test('one URL without the other, a wrong scheme or no shared admin token is refused with what to set', () => {
    expect(() => readConfig({ ...cluster, STRATA_REDIS_URL: '' })).toThrow(/needs both STRATA_DATABASE_URL .* and STRATA_REDIS_URL/)
    expect(() => readConfig({ ...cluster, STRATA_DATABASE_URL: undefined })).toThrow(/needs both/)
    expect(() => readConfig({ ...cluster, STRATA_DATABASE_URL: 'mysql://x' })).toThrow(/postgres:\/\/ URL/)
    expect(() => readConfig({ ...cluster, STRATA_REDIS_URL: 'http://x' })).toThrow(/redis:\/\/ URL/)
    expect(() => readConfig({ ...cluster, STRATA_ADMIN_TOKEN: undefined })).toThrow(/STRATA_ADMIN_TOKEN, the same on every process/)
  })

  test('the catch-up interval cannot be set so low that rooms read the log without pause', () => {
    expect(readConfig({ ...cluster, STRATA_CATCHUP_MS: '0' }).catchUpMs).toBe(100)
    expect(readConfig(cluster).catchUpMs).toBe(10_000)
  })
})
