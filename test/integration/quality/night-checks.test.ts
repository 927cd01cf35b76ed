import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { DatasetSpec } from '../../../src/core/dataset-spec.js'
import { keyMatcher } from '../../../src/core/keys.js'
import { validators } from '../../../src/core/messages.js'
import type { NightSummary } from '../../../src/ops/night.js'
import { formatSummary } from '../../../src/ops/summary.js'
import { ordersSpec as ordersDataset } from '../../support/datasets.js'
import {
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

describe('night checks at the end of runNight, on real local servers', () => {
  let q: QualityWorld
  let summary: NightSummary
  // Three files a night are expected; tonight one of them never arrives.
  const expecting: DatasetSpec = { ...ordersDataset, checks: { ...ordersDataset.checks, files: { expected: 3 } } }
  // Configured, but nothing of it lands tonight.
  const returns: DatasetSpec = { ...ordersDataset, name: 'returns', keys: [keyMatcher(/(^|\/)returns\//)], checks: {} }

  beforeAll(async () => {
    q = await openQualityWorld(endpoints)
    await upload(q, 'orders/part-1.parquet', ordersFile(orders(40, 1)))
    await upload(q, 'orders/part-2.parquet', ordersFile(orders(40, 100)))
    summary = await night(q, [expecting, returns])
    await waitFor(() => nightEvents(q.published).length >= 2)
  })

  afterAll(() => q?.close())

  it('fails the expected-count check when a file is missing', () => {
    const event = nightEvents(q.published).find((e) => e.dataset === 'orders')
    expect(event).toMatchObject({ scope: 'night', status: 'fail', severity: 'fail', runId: summary.runId })
    expect(event?.checks.find((c) => c.name === 'expected_files')).toMatchObject({
      status: 'fail',
      observed: 2,
      threshold: '3±0',
    })
    const passed = event?.checks.filter((c) => c.status === 'pass').map((c) => c.name)
    expect(passed).toEqual([
      'dataset_present',
      'unprocessed_files',
      'outputs_present',
      'reconciliation',
      'volume_rows',
      'volume_bytes',
    ])
    expect(event?.counts).toMatchObject({ files: 2, filesWritten: 2, rowsIn: 80, rowsOut: 80, rowsRejected: 0 })
  })

  it('fails a configured dataset that delivered nothing', () => {
    const event = nightEvents(q.published).find((e) => e.dataset === 'returns')
    expect(event?.checks.find((c) => c.name === 'dataset_present')).toMatchObject({ status: 'fail', observed: 0 })
    expect(event?.counts.files).toBe(0)
  })

  it('publishes one schema-valid night event per configured dataset, filterable by scope', () => {
    const published = q.published.filter((p) => p.event.scope === 'night')
    expect(published.map((p) => p.event.dataset).sort()).toEqual(['orders', 'returns'])
    for (const { event, attributes } of published) {
      expect(validators.qualityEvent(event), JSON.stringify(validators.qualityEvent.errors)).toBe(true)
      expect(attributes).toEqual({
        dataset: event.dataset,
        status: 'fail',
        severity: 'fail',
        scope: 'night',
        run_id: summary.runId,
      })
    }
    expect(summary.nights?.map((n) => n.dataset)).toEqual(['orders', 'returns'])
  })

  it('shows the failing night checks in the summary people read', () => {
    const text = formatSummary(summary)
    expect(text).toContain('night checks:')
    expect(text).toMatch(/orders \d{4}-\d{2}-\d{2} expected_files \[fail\] 2 file\(s\) tonight, expected 3±0/)
    expect(text).toMatch(/returns \d{4}-\d{2}-\d{2} dataset_present \[fail\]/)
  })
})
