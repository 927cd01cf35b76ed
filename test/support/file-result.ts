import type { FileResult } from '../../src/core/messages.js'

/** A written file's result as a worker publishes it: 100 rows in, 100 out; `overrides` changes any field. */
export function sampleFileResult(overrides: Partial<FileResult> = {}): FileResult {
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
