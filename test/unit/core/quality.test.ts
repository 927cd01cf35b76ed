import { describe, expect, it } from 'vitest'
import { type FileResult, validators } from '../../../src/core/messages.js'
import { checkFile, qualityAttributes, qualityEvent } from '../../../src/core/quality.js'

function result(overrides: Partial<FileResult>): FileResult {
  return {
    schema: 'ferry.file-result/v1',
    runId: 'run-1',
    traceId: '0123456789abcdef0123456789abcdef',
    dataset: 'orders',
    source: { bucket: 'landing', key: 'orders/a.parquet', uri: 's3://landing/orders/a.parquet', size: 10 },
    status: 'written',
    rowsIn: 100,
    rowsOut: 100,
    rowsRejected: 0,
    bytesIn: 10,
    bytesOut: 10,
    durationsMs: { total: 1 },
    output: 'gs://lake/orders/a.parquet',
    quarantine: null,
    firstErrors: [],
    error: null,
    attempts: 1,
    eventDate: '2026-11-23',
    processedAt: '2026-11-24T00:01:00.000Z',
    ...overrides,
  }
}

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
