import { describe, expect, it } from 'vitest'
import { StatsCollector } from '../../../src/core/checks/column-stats.js'
import { defineDataset } from '../../../src/core/dataset.js'
import { type FileResult, validators } from '../../../src/core/messages.js'
import {
  checkFile,
  evaluateFile,
  MAX_NOTIFICATION_BODY,
  nightQualityEvent,
  notificationQualityEvent,
  qualityAttributes,
  qualityEvent,
} from '../../../src/core/quality.js'
import { sampleFileResult } from '../../support/file-result.js'

const result = sampleFileResult

const thresholds = { minRowRatio: 0.95, maxRejectedRate: 0.05 }
const failed = (r: FileResult) =>
  checkFile(r, thresholds)
    .filter((c) => c.status === 'fail')
    .map((c) => c.name)

describe('file checks', () => {
  it('passes a clean file', () => {
    expect(failed(result({}))).toEqual([])
  })

  it('fails a file with 6% rejected rows on the ratio and the rejected rate', () => {
    const checks = checkFile(result({ rowsOut: 94, rowsRejected: 6 }), thresholds)
    expect(checks.find((c) => c.name === 'row_ratio')).toMatchObject({
      status: 'fail',
      observed: 0.94,
      threshold: 0.95,
    })
    expect(checks.find((c) => c.name === 'rejected_rate')).toMatchObject({ status: 'fail', observed: 0.06 })
  })

  it('passes exactly at the threshold', () => {
    expect(failed(result({ rowsOut: 95, rowsRejected: 5 }))).toEqual([])
  })

  it('fails empty, dead-lettered and unreconciled files', () => {
    expect(failed(result({ rowsIn: 0, rowsOut: 0 }))).toEqual(['non_empty', 'row_ratio'])
    expect(
      failed(
        result({ status: 'dead-lettered', error: { code: 'FERRY_FORMAT', message: 'bad magic', retryable: false } }),
      ),
    ).toEqual(['processing'])
    expect(failed(result({ rowsOut: 99, rowsRejected: 0 }))).toEqual(['reconciliation'])
  })

  it('builds an event that validates against its schema, with filterable attributes', () => {
    const r = result({ rowsOut: 90, rowsRejected: 10, quarantine: 'gs://lake/q.ndjson' })
    const event = qualityEvent(r, checkFile(r, thresholds), new Date('2026-11-24T00:05:00Z'))
    expect(validators.qualityEvent(event)).toBe(true)
    expect(event).toMatchObject({ status: 'fail', severity: 'fail', dataset: 'orders', scope: 'file' })
    expect(qualityAttributes(event)).toEqual({
      dataset: 'orders',
      status: 'fail',
      severity: 'fail',
      scope: 'file',
      run_id: 'run-1',
      trace_id: r.traceId,
    })
  })
})

describe('declared checks', () => {
  const dataset = defineDataset({
    name: 'orders',
    keys: [/orders/],
    schema: { type: 'object', properties: { id: { type: 'string' } } },
    transform: (row) => row,
    outputColumns: [{ name: 'id', type: 'string' }],
    eventTimeField: 'at',
    checks: { schemaDrift: {}, duplicates: [{ columns: ['id'] }] },
  })
  const stats = (ids: string[]) => {
    const collector = new StatsCollector(dataset.checks ?? {}, dataset.outputColumns)
    collector.add({ length: ids.length, columns: { id: ids } })
    return { stats: collector.stats() }
  }
  const names = (checks: ReturnType<typeof evaluateFile>) => checks.map((c) => `${c.name}=${c.status}`)
  const columns = [{ name: 'id', physicalType: 'BYTE_ARRAY', logicalType: 'STRING' }]

  it('adds schema drift (warn by default) and the output column checks after the built-in ones', () => {
    const r = result({ rowsIn: 3, rowsOut: 3, sourceColumns: [...columns, { name: 'extra', physicalType: 'INT32' }] })
    expect(names(evaluateFile(r, dataset, stats(['a', 'b', 'a'])))).toEqual([
      'processing=pass',
      'non_empty=pass',
      'reconciliation=pass',
      'row_ratio=pass',
      'rejected_rate=pass',
      'schema_drift=warn',
      'output_rows=pass',
      'duplicates:id=fail',
    ])
  })

  it('fails the file when its output cannot be read, and skips drift without source columns', () => {
    const r = result({ rowsIn: 3, rowsOut: 3 })
    expect(names(evaluateFile(r, dataset, { unreadable: 'no such object' })).slice(5)).toEqual(['output_rows=fail'])
  })

  it('runs only the built-in checks for a dead-lettered file or a dataset without checks', () => {
    const dead = result({ status: 'dead-lettered', sourceColumns: columns })
    expect(names(evaluateFile(dead, dataset, stats([])))).toEqual(['processing=fail'])
    expect(evaluateFile(result({}), undefined)).toHaveLength(5)
  })

  it('builds a schema-valid night event whose attributes carry the scope and no trace', () => {
    const event = nightQualityEvent(
      {
        runId: 'run-1',
        dataset: 'orders',
        date: '2026-11-23',
        counts: {
          files: 2,
          filesWritten: 2,
          filesDeadLettered: 0,
          rowsIn: 10,
          rowsOut: 10,
          rowsRejected: 0,
          bytesIn: 100,
          bytesOut: 80,
        },
      },
      [
        { name: 'expected_files', status: 'warn', severity: 'warn', observed: 2, threshold: '3±0', message: '' },
        { name: 'reconciliation', status: 'pass', severity: 'fail', observed: '', threshold: '', message: '' },
      ],
      new Date('2026-11-24T00:10:00Z'),
    )
    expect(validators.qualityEvent(event), JSON.stringify(validators.qualityEvent.errors)).toBe(true)
    expect(event).toMatchObject({ schema: 'ferry.quality/v2', scope: 'night', status: 'pass', severity: 'warn' })
    expect(qualityAttributes(event)).toEqual({
      dataset: 'orders',
      status: 'pass',
      severity: 'warn',
      scope: 'night',
      run_id: 'run-1',
    })
    expect(validators.qualityEvent({ ...event, date: 'yesterday' })).toBe(false)
    expect(validators.qualityEvent({ ...event, scope: 'file' })).toBe(false)
    expect(validators.qualityEvent({ ...event, checks: [] })).toBe(false)
  })
})

describe('notification events', () => {
  // The wire format a subscriber sees, written out: the schema must accept exactly this.
  const example = {
    schema: 'ferry.quality/v2',
    scope: 'notification',
    runId: '20261124T000100Z-1a2b3c',
    status: 'fail',
    severity: 'fail',
    checks: [
      {
        name: 'notification_readable',
        status: 'fail',
        severity: 'fail',
        observed: false,
        threshold: true,
        message: 'body is not JSON: Unexpected token < in JSON at position 0',
      },
    ],
    messageId: '5fea7756-0ea4-451a-a703-a558b933e274',
    reason: 'body is not JSON: Unexpected token < in JSON at position 0',
    body: '<Event><Records/></Event>',
    evaluatedAt: '2026-11-24T00:01:02.345Z',
  }

  it('accepts a notification example, and only with the notification fields', () => {
    expect(validators.qualityEvent(example), JSON.stringify(validators.qualityEvent.errors)).toBe(true)
    expect(validators.qualityEvent({ ...example, dataset: 'orders' })).toBe(false)
    expect(validators.qualityEvent({ ...example, status: 'pass', severity: 'info' })).toBe(false)
    expect(validators.qualityEvent({ ...example, scope: 'file' })).toBe(false)
    expect(validators.qualityEvent({ ...example, checks: [] })).toBe(false)
    expect(validators.qualityEvent({ ...example, body: 'x'.repeat(MAX_NOTIFICATION_BODY + 1) })).toBe(false)
    for (const field of ['messageId', 'reason', 'body', 'runId', 'evaluatedAt']) {
      const { [field]: _, ...rest } = example as Record<string, unknown>
      expect(validators.qualityEvent(rest), field).toBe(false)
    }
  })

  it('builds exactly that event, with status/scope/severity attributes and no dataset', () => {
    const event = notificationQualityEvent(
      {
        runId: example.runId,
        messageId: example.messageId,
        reason: example.reason,
        body: example.body,
      },
      new Date(example.evaluatedAt),
    )
    expect(event).toEqual(example)
    expect(qualityAttributes(event)).toEqual({
      status: 'fail',
      severity: 'fail',
      scope: 'notification',
      run_id: example.runId,
    })
  })

  it('cuts the body to 4 KiB, never inside a character', () => {
    const at = (body: string) =>
      notificationQualityEvent({ runId: 'r', messageId: 'm', reason: 'not JSON', body }, new Date(0)).body
    expect(at('a'.repeat(10_000))).toBe('a'.repeat(MAX_NOTIFICATION_BODY))
    expect(at('a'.repeat(MAX_NOTIFICATION_BODY))).toHaveLength(MAX_NOTIFICATION_BODY)
    expect(at(`${'a'.repeat(MAX_NOTIFICATION_BODY - 1)}🚀`)).toBe('a'.repeat(MAX_NOTIFICATION_BODY - 1))
    const event = notificationQualityEvent(
      { runId: 'r', messageId: 'm', reason: 'not JSON', body: '🚀'.repeat(5000) },
      new Date(0),
    )
    expect(validators.qualityEvent(event)).toBe(true)
    expect(event.body).toBe('🚀'.repeat(MAX_NOTIFICATION_BODY / 2))
  })
})
