import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { DatasetSpec } from '../../../src/core/dataset-spec.js'
import type { NightQualityEvent } from '../../../src/core/messages.js'
import { type HistoryLocation, writeNight } from '../../../src/ops/history.js'
import { rollup } from '../../../src/ops/history-rollup.js'
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
const DAY_MS = 86_400_000

describe('volume anomaly against the metrics history, on real local servers', () => {
  let q: QualityWorld
  let history: HistoryLocation
  const dataset: DatasetSpec = { ...ordersDataset, checks: { volume: { nights: 14, minHistory: 7, maxZ: 3.5 } } }
  // A usual night holds ~100 rows; tonight's single file holds ten times that.
  const spike = ordersFile(orders(1000, 1))
  const usual = ordersFile(orders(100, 1))
  // The night is the S3 event date of tonight's upload: today (UTC).
  const today = new Date().toISOString().slice(0, 10)

  beforeAll(async () => {
    q = await openQualityWorld(endpoints)
    history = { store: q.infra.output, bucket: q.world.lake, prefix: q.config.output.prefix }
  })

  afterAll(() => q?.close())

  /** A stored night as an earlier run would have left it, `daysAgo` nights before today. */
  async function seed(daysAgo: number): Promise<void> {
    const date = new Date(Date.parse(`${today}T00:00:00Z`) - daysAgo * DAY_MS).toISOString().slice(0, 10)
    const jitter = [0, 3, -2, 5, -4, 1, -1, 2][daysAgo % 8]!
    await writeNight(history, {
      ...rollup([], { dataset: 'orders', date, runId: `run-seed-${daysAgo}`, updatedAt: `${date}T00:10:00.000Z` }),
      files: 1,
      filesWritten: 1,
      qualityPass: 1,
      rowsIn: 100 + jitter,
      rowsOut: 100 + jitter,
      bytesIn: usual.byteLength + jitter * 40,
    })
  }

  async function spikeNight(): Promise<NightQualityEvent> {
    const before = nightEvents(q.published).length
    await upload(q, 'orders/spike.parquet', spike)
    const summary = await night(q, [dataset])
    await waitFor(() => nightEvents(q.published).length > before)
    const event = nightEvents(q.published).find((e) => e.runId === summary.runId)
    expect(event?.date).toBe(today)
    return event as NightQualityEvent
  }

  const volume = (event: NightQualityEvent) =>
    Object.fromEntries(event.checks.filter((c) => c.name.startsWith('volume_')).map((c) => [c.name, c]))

  it('cannot fail a 10x spike with 6 nights of history', async () => {
    for (let daysAgo = 1; daysAgo <= 6; daysAgo++) await seed(daysAgo)
    const event = await spikeNight()
    const { volume_rows, volume_bytes } = volume(event)
    expect(volume_rows).toMatchObject({ status: 'pass' })
    expect(volume_rows?.observed).toBeGreaterThan(3.5)
    expect(volume_rows?.message).toContain('only 6 of 7 night(s) of history')
    expect(volume_bytes?.status).toBe('pass')
    expect(event.status).toBe('pass')
  })

  it('fails the same spike once the 7th night of history exists', async () => {
    await seed(7)
    const event = await spikeNight()
    const { volume_rows, volume_bytes } = volume(event)
    expect(volume_rows).toMatchObject({ status: 'fail', threshold: 3.5 })
    expect(volume_rows?.message).toMatch(/^1000 rows tonight vs median 10\d over 7 night\(s\)/)
    expect(volume_bytes?.status).toBe('fail')
    expect(event).toMatchObject({ status: 'fail', counts: { files: 1, rowsIn: 1000 } })
  })

  it('keeps ordinary nights quiet: the usual volume passes against the same history', async () => {
    const before = nightEvents(q.published).length
    await upload(q, 'orders/spike.parquet', usual) // the same key: it replaces tonight's only file
    const summary = await night(q, [dataset])
    await waitFor(() => nightEvents(q.published).length > before)
    const event = nightEvents(q.published).find((e) => e.runId === summary.runId) as NightQualityEvent
    expect(Object.values(volume(event)).map((c) => c.status)).toEqual(['pass', 'pass'])
    expect(event.counts.rowsIn).toBe(100)
  })
})
