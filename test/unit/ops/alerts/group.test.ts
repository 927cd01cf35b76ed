import { describe, expect, it } from 'vitest'
import { notificationQualityEvent } from '../../../../src/core/quality.js'
import {
  type Failure,
  failuresOf,
  groupAlerts,
  NIGHT_KEY,
  nightFailure,
  nightFailures,
} from '../../../../src/ops/alerts/group.js'
import type { NightSummary } from '../../../../src/ops/night.js'
import { event, type Mode } from './fixtures.js'

const runId = 'run-20261124T000100Z-abc123'
const options = { runId, maxItemsPerCheck: 3, maxAlerts: 5 }

function failures(dataset: string, count: number, mode: Mode): Failure[] {
  return Array.from({ length: count }, (_, i) =>
    failuresOf(event(dataset, `${dataset}/f${String(i).padStart(3, '0')}.csv`, mode)),
  ).flat()
}

describe('failuresOf', () => {
  it('keeps only the failing checks, with observed and threshold as text and the source as bucket/key', () => {
    expect(failuresOf(event('orders', 'orders/a.csv', 'ok'))).toEqual([])
    const [first, second, ...rest] = failuresOf(event('orders', 'orders/a.csv', 'lossy'))
    expect(rest).toEqual([])
    expect(first).toEqual({
      dataset: 'orders',
      key: 'landing/orders/a.csv',
      check: 'row_ratio',
      severity: 'fail',
      observed: '0.8',
      threshold: '0.95',
      message: '80 of 100 rows written (ratio 0.8, minimum 0.95)',
      output: 'gs://lake/orders/orders/a.csv.parquet',
      quarantine: 'gs://lake/quarantine/orders/a.csv.jsonl',
    })
    expect(second).toMatchObject({ check: 'rejected_rate', observed: '0.2', threshold: '0.05' })
  })

  it('gives nothing for a notification event: nightFailures counts dead-lettered notifications', () => {
    const event = notificationQualityEvent(
      { runId, messageId: 'm-1', reason: 'body is not JSON', body: '<xml/>' },
      new Date('2026-11-24T00:01:00Z'),
    )
    expect(event.status).toBe('fail')
    expect(failuresOf(event)).toEqual([])
  })
})

describe('groupAlerts', () => {
  it('makes one alert per dataset, lists a few files per check and counts the rest', () => {
    const { alerts, suppressed } = groupAlerts(
      [...failures('orders', 10, 'lossy'), ...failures('customers', 4, 'dead')],
      options,
    )
    expect(suppressed).toBe(0)
    expect(alerts.map((a) => a.dataset)).toEqual(['orders', 'customers'])
    const [orders, customers] = alerts
    expect(orders?.title).toBe('Ferry orders: 10 file(s) failed rejected_rate, row_ratio')
    expect(orders?.items.map((i) => `${i.check} ${i.key}`)).toEqual([
      'rejected_rate landing/orders/f000.csv',
      'rejected_rate landing/orders/f001.csv',
      'rejected_rate landing/orders/f002.csv',
      'row_ratio landing/orders/f000.csv',
      'row_ratio landing/orders/f001.csv',
      'row_ratio landing/orders/f002.csv',
    ])
    expect(orders?.omitted).toEqual({ rejected_rate: 7, row_ratio: 7 })
    expect(customers).toMatchObject({ severity: 'fail', runId, omitted: { processing: 1 } })
    expect(customers?.items).toHaveLength(3)
  })

  it('counts a redelivered file once, with its latest verdict', () => {
    const first = failuresOf(event('orders', 'orders/a.csv', 'dead'))
    const again = first.map((f) => ({ ...f, message: 'second evaluation' }))
    const { alerts } = groupAlerts([...first, ...again], options)
    expect(alerts[0]?.items).toEqual([
      expect.objectContaining({ key: 'landing/orders/a.csv', message: 'second evaluation' }),
    ])
    expect(alerts[0]?.title).toContain('1 file(s)')
  })

  it('puts night-level failures first, then fail before warn, then the datasets with most files', () => {
    const warnOnly = failures('events', 9, 'lossy').map((f) => ({ ...f, severity: 'warn' as const }))
    const night = nightFailure({
      check: 'files_received',
      severity: 'fail',
      observed: '0',
      threshold: '>= 1',
      message: 'nothing arrived',
    })
    const { alerts } = groupAlerts(
      [...warnOnly, ...failures('small', 1, 'dead'), ...failures('big', 5, 'dead'), night],
      options,
    )
    expect(alerts.map((a) => [a.dataset, a.severity])).toEqual([
      [undefined, 'fail'],
      ['big', 'fail'],
      ['small', 'fail'],
      ['events', 'warn'],
    ])
    expect(alerts[0]).toMatchObject({ title: `Ferry night ${runId}: files_received`, items: [{ key: NIGHT_KEY }] })
    expect(alerts[3]?.title).toBe('Ferry events: 9 file(s) warned on rejected_rate, row_ratio')
  })

  it('caps the alerts and says on the last one what was suppressed', () => {
    const all = Array.from({ length: 8 }, (_, i) => failures(`ds${i}`, 8 - i, 'dead')).flat()
    const { alerts, suppressed } = groupAlerts(all, { ...options, maxAlerts: 5 })
    expect(alerts.map((a) => a.dataset)).toEqual(['ds0', 'ds1', 'ds2', 'ds3', 'ds4'])
    expect(suppressed).toBe(3)
    expect(alerts[4]?.notes).toEqual([
      '3 more alert(s) suppressed by the cap of 5 per run: ds5 (3 file(s), fail), ds6 (2 file(s), fail), ds7 (1 file(s), fail)',
    ])
    expect(alerts.slice(0, 4).every((a) => a.notes === undefined)).toBe(true)
  })

  it('suppresses everything once the run has used its cap', () => {
    expect(groupAlerts(failures('orders', 2, 'dead'), { ...options, maxAlerts: 0 })).toEqual({
      alerts: [],
      suppressed: 1,
    })
  })

  it('adds the links to every alert and builds nothing from nothing', () => {
    const links = [{ label: 'logs', url: 'https://logs.example/run' }]
    const { alerts } = groupAlerts(failures('orders', 1, 'dead'), { ...options, links })
    expect(alerts[0]?.links).toEqual(links)
    expect(groupAlerts([], options)).toEqual({ alerts: [], suppressed: 0 })
  })
})

describe('nightFailures', () => {
  const summary = (files: number, deadLettered: number): NightSummary => ({
    runId,
    startedAt: '2026-11-24T00:01:00.000Z',
    durationMs: 1000,
    drain: { messages: 3, objects: files, duplicates: 0, skipped: 0, deadLettered },
    files: Array.from({ length: files }, (_, i) => ({
      key: `landing/f${i}`,
      uri: `s3://landing/f${i}`,
      dataset: 'orders',
      status: 'written' as const,
      quality: 'pass' as const,
      rowsIn: 1,
      rowsOut: 1,
      rowsRejected: 0,
      durationMs: 1,
      output: null,
      quarantine: null,
      reason: null,
      alreadyProcessed: false,
    })),
    earlierRuns: 0,
  })

  it('fails an empty night and warns about dead-lettered notifications', () => {
    expect(nightFailures(summary(0, 2))).toEqual([
      expect.objectContaining({ check: 'files_received', severity: 'fail', observed: '0', threshold: '>= 1' }),
      expect.objectContaining({ check: 'drain_dead_letters', severity: 'warn', observed: '2', threshold: '0' }),
    ])
  })

  it('is quiet for a normal night and honours minFiles', () => {
    expect(nightFailures(summary(2, 0))).toEqual([])
    expect(nightFailures(summary(2, 0), { minFiles: 3 })).toEqual([
      expect.objectContaining({ check: 'files_received', observed: '2', threshold: '>= 3' }),
    ])
  })
})
