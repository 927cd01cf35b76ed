/**
 * `ferry infer` on the three kinds of sample a team has (a CSV export, a gzipped NDJSON log, a
 * Parquet dump written by another writer: DuckDB) drafts dataset folders that `ferry test` passes at
 * once and that `ferry nightly` then processes on the local default.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { DuckDBInstance } from '@duckdb/node-api'
import { beforeAll, describe, expect, it } from 'vitest'
import { LocalNotificationQueue } from '../../../src/adapters/local/notification-queue.js'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import { readParquetRows } from '../../../src/core/formats/parquet.js'
import { objectCreatedBody } from '../../../src/producers/object-created.js'
import { runFerry } from '../../support/bin.js'

const NIGHT = '2026-11-23'
const env = { FERRY_LOG_FORMAT: 'json', FERRY_LOG_LEVEL: 'warn' }

function customersCsv(first: number, count: number): string {
  const plans = ['free', 'pro', 'team']
  const lines = ['customer_id,email,zip,plan,signed_up,created_at,score']
  for (let i = first; i < first + count; i++) {
    const created = `${NIGHT}T${String(i % 24).padStart(2, '0')}:15:00Z`
    lines.push(
      `C-${i},user${i}@example.com,0${1000 + i},${plans[i % 3]},2026-0${1 + (i % 9)}-1${i % 10},${created},${(i * 1.25).toFixed(2)}`,
    )
  }
  return `${lines.join('\n')}\n`
}

function eventsNdjson(first: number, count: number): string {
  return Array.from({ length: count }, (_, i) => {
    const n = first + i
    const event = {
      event_id: `8c1f${String(n).padStart(4, '0')}-1b2c-4d3e-8f4a-5b6c7d8e9f00`,
      kind: ['view', 'click'][n % 2],
      at: `${NIGHT}T12:00:${String(n % 60).padStart(2, '0')}.5Z`,
      count: n,
    }
    return JSON.stringify(
      n % 5 === 0 ? { ...event, referrer: null } : { ...event, referrer: `https://example.com/${n}` },
    )
  }).join('\n')
}

async function duckdbParquet(path: string, first: number, count: number): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:')
  const duck = await instance.connect()
  await duck.run("SET TimeZone = 'UTC'")
  await duck.run(`COPY (
    SELECT 'S-' || i AS sku, (i * 3)::INTEGER AS stock, (i * 0.5)::DECIMAL(10,2) AS price,
           i % 2 = 0 AS active, DATE '2026-11-01' + (i % 20)::INTEGER AS restocked,
           TIMESTAMP '${NIGHT} 06:00:00' + to_minutes(i) AS updated_at
    FROM range(${first}, ${first + count}) t(i)
  ) TO '${path}' (FORMAT PARQUET)`)
  duck.closeSync()
  instance.closeSync()
}

describe('ferry infer drafts datasets that pass their tests and process a night', () => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-infer-'))
  const samples = join(root, 'samples')

  beforeAll(async () => {
    mkdirSync(samples, { recursive: true })
    writeFileSync(join(root, 'ferry.config.yaml'), 'work: { idleMs: 500 }\n')
    writeFileSync(join(samples, 'customers_20261122.csv'), customersCsv(1, 60))
    writeFileSync(join(samples, 'events-00.ndjson.gz'), gzipSync(eventsNdjson(1, 80)))
    await duckdbParquet(join(samples, 'stock.parquet'), 1, 3000)
  })

  it.each([
    ['customers', 'samples/customers_20261122.csv', [], '**/customers_*.csv'],
    [
      'events',
      'samples/events-00.ndjson.gz',
      ['--key', 'web/2026-11-22/events-00.ndjson.gz'],
      'web/*/events-*.ndjson.gz',
    ],
    ['stock', 'samples/stock.parquet', ['--key', 'erp/stock/stock_20261122.parquet'], 'erp/stock/stock_*.parquet'],
  ])('drafts %s from %s', async (name, sample, extra, pattern) => {
    const run = await runFerry(['infer', sample, '--name', name, ...extra], { cwd: root, env })
    expect(run.stderr).toBe('')
    expect(run.stdout).toContain(`the drafted test passes`)
    expect(run.code).toBe(0)
    const dir = join(root, 'datasets', name)
    for (const file of ['dataset.yaml', 'schema.json', 'tests/sample/case.yaml', 'tests/sample/expected.ndjson']) {
      expect(existsSync(join(dir, file)), file).toBe(true)
    }
    const yaml = readFileSync(join(dir, 'dataset.yaml'), 'utf8')
    expect(yaml).toContain(`  - "${pattern}"`)
    expect(yaml).toMatch(/^# yaml-language-server: \$schema=\.\.\/\.\.\/dataset\.schema\.json$/m)
    const again = await runFerry(['infer', sample, '--name', name, ...extra], { cwd: root, env })
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already exists; choose another --name or --out, or use --force/)
  })

  it('infers what the samples show: types, formats, enums, keys and the event time', () => {
    const customers = JSON.parse(readFileSync(join(root, 'datasets/customers/schema.json'), 'utf8'))
    expect(customers.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(customers.properties).toMatchObject({
      customer_id: { type: 'string' },
      email: { type: 'string', format: 'email' },
      zip: { type: 'string' },
      plan: { type: 'string', enum: ['free', 'pro', 'team'] },
      signed_up: { type: 'string', format: 'date' },
      created_at: { type: 'string', format: 'date-time' },
      score: { type: 'number' },
    })
    const yaml = readFileSync(join(root, 'datasets/customers/dataset.yaml'), 'utf8')
    expect(yaml).toContain('eventTime: created_at')
    expect(yaml).toContain('    - { columns: [customer_id] }')
    const events = JSON.parse(readFileSync(join(root, 'datasets/events/schema.json'), 'utf8'))
    expect(events.properties.event_id).toEqual({ type: 'string', format: 'uuid' })
    expect(events.required).not.toContain('referrer')
    const stock = readFileSync(join(root, 'datasets/stock/dataset.yaml'), 'utf8')
    expect(stock).toContain('{ name: restocked, type: date')
    expect(stock).toMatch(/\{ name: updated_at, type: timestamp, unit: (ms|us)/)
  })

  it('passes ferry test, and ferry nightly processes files of all three', async () => {
    const tested = await runFerry(['test'], { cwd: root, env })
    expect(tested.stdout).toContain('cases=3 passed=3 failed=0')
    expect(tested.code).toBe(0)

    const store = new LocalObjectStore({ root: join(root, '.ferry', 'buckets') })
    const queue = new LocalNotificationQueue(join(root, '.ferry', 'queue'))
    const stock = join(root, 'stock-night.parquet')
    await duckdbParquet(stock, 5000, 400)
    const uploads: Array<[string, Uint8Array]> = [
      [`exports/customers_20261123.csv`, Buffer.from(customersCsv(100, 50))],
      [`web/${NIGHT}/events-07.ndjson.gz`, gzipSync(eventsNdjson(200, 70))],
      [`erp/stock/stock_20261123.parquet`, new Uint8Array(readFileSync(stock))],
    ]
    for (const [key, body] of uploads) {
      const info = await store.put('landing', key, body)
      await queue.send(objectCreatedBody(info, new Date(`${NIGHT}T23:00:00Z`)))
    }
    const night = await runFerry(['nightly'], { cwd: root, env })
    expect(night.stdout.trim().split('\n').at(-1)).toMatch(/^files=3 written=3 quarantined_rows=0 dead_lettered=0 /)
    const counts: Record<string, number> = {}
    for (const dataset of ['customers', 'events', 'stock']) {
      const folder = join(root, '.ferry', 'buckets', 'lake', dataset, `date=${NIGHT}`)
      for (const file of readdirSync(folder)) {
        counts[dataset] = (await readParquetRows(new Uint8Array(readFileSync(join(folder, file))))).rows.length
      }
    }
    expect(counts).toEqual({ customers: 50, events: 70, stock: 400 })
  })
})
