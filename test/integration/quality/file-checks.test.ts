import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Row } from '../../../src/core/dataset.js'
import { writeParquet } from '../../../src/core/formats/parquet.js'
import { type CheckResult, type QualityEvent, validators } from '../../../src/core/messages.js'
import { ORDER_INPUT_COLUMNS, seededRandom, spoilRows } from '../../../src/core/sample-orders.js'
import { nightKey, readEntries, readNight } from '../../../src/ops/history.js'
import type { NightSummary } from '../../../src/ops/night.js'
import { ordersSpec as ordersDataset } from '../../support/datasets.js'
import {
  fileEvents,
  night,
  nightEvents,
  openQualityWorld,
  orders,
  ordersFile,
  type QualityWorld,
  upload,
  waitFor,
} from './support.js'

const endpoints = inject('endpoints')

describe('file checks on the written output, on real local servers', () => {
  let q: QualityWorld
  let summary: NightSummary
  const byKey = new Map<string, QualityEvent>()

  beforeAll(async () => {
    q = await openQualityWorld(endpoints)
    const rejected = orders(100, 1)
    spoilRows(seededRandom(5), rejected, 6)
    const dupes = orders(50, 1000)
    for (let i = 40; i < 50; i++) dupes[i]!.order_id = dupes[i - 40]!.order_id
    await upload(q, 'orders/rejected-6pct.parquet', ordersFile(rejected))
    await upload(q, 'orders/clean.parquet', ordersFile(orders(100, 500)))
    await upload(q, 'orders/duplicates.parquet', ordersFile(dupes))
    await upload(q, 'orders/drifted.parquet', driftedFile(orders(20, 2000)))
    summary = await night(q, [ordersDataset])
    await waitFor(() => q.published.length >= 5)
    for (const event of fileEvents(q.published)) byKey.set(event.source.key, event)
  })

  afterAll(() => q?.close())

  const check = (key: string, name: string): CheckResult | undefined =>
    byKey.get(key)?.checks.find((c) => c.name === name)

  it('fails a file with 6% rejected rows on the 0.95 row ratio', () => {
    expect(check('orders/rejected-6pct.parquet', 'row_ratio')).toMatchObject({
      status: 'fail',
      observed: 0.94,
      threshold: 0.95,
    })
    expect(byKey.get('orders/rejected-6pct.parquet')).toMatchObject({
      status: 'fail',
      counts: { rowsIn: 100, rowsOut: 94, rowsRejected: 6 },
    })
    expect(check('orders/rejected-6pct.parquet', 'reconciliation')?.status).toBe('pass')
  })

  it('passes a clean file on every declared check, computed from the output it wrote', () => {
    const event = byKey.get('orders/clean.parquet')
    expect(event?.status).toBe('pass')
    expect(Object.fromEntries(event?.checks.map((c) => [c.name, c.status]) ?? [])).toEqual({
      processing: 'pass',
      non_empty: 'pass',
      reconciliation: 'pass',
      row_ratio: 'pass',
      rejected_rate: 'pass',
      schema_drift: 'pass',
      output_rows: 'pass',
      'null_rate:customer_id': 'pass',
      'null_rate:shipped_at': 'pass',
      'duplicates:order_id': 'pass',
      'allowed_values:currency': 'pass',
      'range:amount': 'pass',
      'range:quantity': 'pass',
      'freshness:ordered_at': 'pass',
    })
    expect(check('orders/clean.parquet', 'output_rows')?.observed).toBe(100)
  })

  it('counts duplicate keys in the written output', () => {
    expect(check('orders/duplicates.parquet', 'duplicates:order_id')).toMatchObject({ status: 'fail', observed: 10 })
  })

  it('reports schema drift from the source footer the worker reported', () => {
    expect(check('orders/drifted.parquet', 'schema_drift')).toMatchObject({
      status: 'warn',
      observed: 2,
      message: 'added: channel; removed: note',
    })
  })

  it('records every file in the history beside the outputs and rolls the night up', async () => {
    const date = nightEvents(q.published)[0]?.date ?? ''
    const at = { store: q.infra.output, bucket: q.world.lake, prefix: '' }
    const { entries } = await readEntries(at, 'orders', date)
    expect(entries.map((e) => e.key).sort()).toEqual(summary.files.map((f) => f.key).sort())
    expect(await q.infra.output.head(q.world.lake, nightKey('', 'orders', date))).toBeDefined()
    expect(await readNight(at, 'orders', date)).toMatchObject({
      dataset: 'orders',
      date,
      runId: summary.runId,
      files: 4,
      filesWritten: 4,
      rowsIn: 270,
      rowsOut: 244,
      rowsRejected: 26,
      qualityFail: 3,
      qualityPass: 1,
    })
  })

  it('publishes only events that validate against the schema', () => {
    expect(q.published).toHaveLength(5)
    for (const { event } of q.published) {
      expect(validators.qualityEvent(event), JSON.stringify(validators.qualityEvent.errors)).toBe(true)
    }
  })
})

/** The orders export with a new `channel` column and without `note`: what an upstream change looks like. */
function driftedFile(rows: Row[]): Uint8Array {
  const columns = [
    ...ORDER_INPUT_COLUMNS.filter((c) => c.name !== 'note'),
    { name: 'channel', type: 'string' as const },
  ]
  return writeParquet(
    columns,
    rows.map(({ note: _note, ...row }) => ({ ...row, channel: 'web' })),
  )
}
