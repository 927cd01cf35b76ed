import { describe, expect, it } from 'vitest'
import { type FileResult, type ObjectMessage, validators } from '../../../src/core/messages.js'
import {
  isDuplicate,
  ledgerKey,
  processed,
  processing,
  qualified,
  queued,
  received,
  repeatedResult,
  skipped,
} from '../../../src/ledger/transitions.js'

const t = (minute: number) => new Date(Date.UTC(2026, 10, 24, 0, minute))

function message(overrides: Partial<ObjectMessage> = {}): ObjectMessage {
  return {
    schema: 'ferry.object/v1',
    runId: 'run-1',
    traceId: 'a'.repeat(32),
    bucket: 'landing',
    key: 'orders/2026-11-23/a.parquet',
    size: 100,
    eTag: 'etag-1',
    eventTime: '2026-11-23T23:30:00.000Z',
    eventName: 'ObjectCreated:Put',
    enqueuedAt: '2026-11-24T00:01:00.000Z',
    ...overrides,
  }
}

function result(status: FileResult['status'], overrides: Partial<FileResult> = {}): FileResult {
  return {
    schema: 'ferry.file-result/v1',
    runId: 'run-1',
    traceId: 'a'.repeat(32),
    dataset: 'orders',
    source: { bucket: 'landing', key: 'orders/2026-11-23/a.parquet', uri: 's3://landing/x', size: 100, eTag: 'etag-1' },
    status,
    rowsIn: 10,
    rowsOut: status === 'dead-lettered' ? 0 : 9,
    rowsRejected: status === 'dead-lettered' ? 0 : 1,
    bytesIn: 100,
    bytesOut: 80,
    durationsMs: { total: 12 },
    output: status === 'dead-lettered' ? null : 'gs://lake/orders/x.parquet',
    quarantine: null,
    firstErrors: [],
    error: status === 'dead-lettered' ? { code: 'FERRY_FORMAT', message: 'bad footer', retryable: false } : null,
    attempts: status === 'dead-lettered' ? 2 : 1,
    eventDate: '2026-11-23',
    processedAt: t(3).toISOString(),
    ...overrides,
  }
}

const p0 = (offset: string) => ({ topic: 'ferry.objects', partition: 0, offset })

/** received -> queued -> processing -> written -> qualified, as drain, work and quality record it. */
function written() {
  const m = message()
  let e = received(undefined, m, t(1))
  e = queued(e, m, t(1))
  e = processing(e, m, p0('5'), t(2))
  e = processed(e, m, p0('5'), result('written'), t(3))
  return qualified(e, result('written'), 'pass', t(4))
}

describe('ledgerKey', () => {
  it('is bucket/key/eTag, else the versionId, else -', () => {
    expect(ledgerKey({ bucket: 'b', key: 'a/b/c.parquet', eTag: 'e' })).toBe('b/a/b/c.parquet/e')
    expect(ledgerKey({ bucket: 'b', key: 'k', versionId: 'v1' })).toBe('b/k/v:v1')
    expect(ledgerKey({ bucket: 'b', key: 'k', eTag: 'e', versionId: 'v1' })).toBe('b/k/e')
    expect(ledgerKey({ bucket: 'b', key: 'k' })).toBe('b/k/-')
  })
})

describe('the state of one file', () => {
  it('moves through the states with timestamps, attempts, the last error and the verdict', () => {
    const entry = written()
    expect(validators.ledger(entry), JSON.stringify(validators.ledger.errors)).toBe(true)
    expect(entry).toMatchObject({
      bucket: 'landing',
      key: 'orders/2026-11-23/a.parquet',
      eTag: 'etag-1',
      dataset: 'orders',
      eventTime: '2026-11-23T23:30:00.000Z',
      eventDate: '2026-11-23',
      state: 'qualified',
      quality: 'pass',
      attempts: 1,
      enqueued: 1,
      skipped: 0,
      lastError: null,
      position: p0('5'),
      timestamps: {
        received: t(1).toISOString(),
        queued: t(1).toISOString(),
        processing: t(2).toISOString(),
        processed: t(3).toISOString(),
        qualified: t(4).toISOString(),
      },
      updatedAt: t(4).toISOString(),
    })
    expect(entry.result?.status).toBe('written')
  })

  it('keeps the last error of a dead letter and adds up attempts over deliveries', () => {
    const m = message()
    let e = processed(processing(undefined, m, p0('1'), t(1)), m, p0('1'), result('dead-lettered'), t(2))
    expect(e).toMatchObject({ state: 'dead-lettered', attempts: 2, lastError: { code: 'FERRY_FORMAT' } })
    e = processed(processing(e, m, p0('2'), t(3)), m, p0('2'), result('written'), t(4))
    expect(e).toMatchObject({ state: 'written', attempts: 3, lastError: null, position: p0('2') })
  })

  it('drops the previous verdict when the file is processed again', () => {
    const e = processing(written(), message({ replay: true, runId: 'replay-1' }), p0('9'), t(5))
    expect(e.quality).toBeUndefined()
    expect(e.timestamps.qualified).toBeUndefined()
    expect(e).toMatchObject({ state: 'processing', runId: 'replay-1', replay: true })
    // the replay flag belongs to that delivery only
    expect(queued(e, message({ runId: 'run-2' }), t(6)).replay).toBeUndefined()
  })

  it('a skipped duplicate goes back to its outcome and counts the skip', () => {
    const dup = message({ runId: 'run-2', traceId: 'b'.repeat(32) })
    const e = skipped(queued(written(), dup, t(10)), dup, p0('9'), t(11))
    expect(e).toMatchObject({
      state: 'written',
      runId: 'run-2',
      skipped: 1,
      enqueued: 2,
      attempts: 1,
      position: p0('9'),
      quality: 'pass',
    })
    expect(e.timestamps.skipped).toBe(t(11).toISOString())
  })

  it('the quality verdict alone makes a complete entry (a consumer that never saw the others)', () => {
    const e = qualified(undefined, result('dead-lettered'), 'fail', t(4))
    expect(validators.ledger(e), JSON.stringify(validators.ledger.errors)).toBe(true)
    expect(e).toMatchObject({ state: 'qualified', quality: 'fail', attempts: 2, lastError: { code: 'FERRY_FORMAT' } })
  })
})

describe('isDuplicate', () => {
  const entry = written()

  it('skips a new message for a version already written', () => {
    expect(isDuplicate(entry, message({ runId: 'run-2' }), p0('9'))).toBe(true)
    expect(isDuplicate({ ...entry, result: result('quarantined') }, message(), p0('9'))).toBe(true)
  })

  it('processes a redelivery of a record at or before the furthest one seen (offset reset, crash)', () => {
    expect(isDuplicate(entry, message(), p0('5'))).toBe(false)
    expect(isDuplicate(entry, message(), p0('2'))).toBe(false)
    // offsets only compare on the same partition of the same topic
    expect(isDuplicate(entry, message(), { ...p0('2'), partition: 1 })).toBe(true)
    expect(isDuplicate(entry, message(), { ...p0('2'), topic: 'other' })).toBe(true)
  })

  it('processes replays, unknown versions, dead letters and messages without an eTag', () => {
    expect(isDuplicate(entry, message({ replay: true }), p0('9'))).toBe(false)
    expect(isDuplicate(undefined, message(), p0('9'))).toBe(false)
    expect(isDuplicate({ ...entry, result: result('dead-lettered') }, message(), p0('9'))).toBe(false)
    const { eTag: _none, ...noEtag } = message()
    expect(isDuplicate(entry, noEtag, p0('9'))).toBe(false)
    const { result: _never, ...unprocessed } = entry
    expect(isDuplicate(unprocessed, message(), p0('9'))).toBe(false)
  })
})

describe('repeatedResult', () => {
  it('is the recorded result under the new delivery run and trace', () => {
    const again = repeatedResult(written(), message({ runId: 'run-2', traceId: 'b'.repeat(32) }), t(20))
    expect(again).toMatchObject({
      runId: 'run-2',
      traceId: 'b'.repeat(32),
      status: 'written',
      rowsIn: 10,
      rowsOut: 9,
      output: 'gs://lake/orders/x.parquet',
      durationsMs: { total: 0 },
      processedAt: t(20).toISOString(),
    })
    expect(validators.fileResult(again)).toBe(true)
  })
})
