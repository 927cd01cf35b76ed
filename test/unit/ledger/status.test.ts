import { describe, expect, it } from 'vitest'
import type { LedgerEntry } from '../../../src/core/messages.js'
import { formatStatus, selectEntries } from '../../../src/ledger/status.js'

function entry(key: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    schema: 'ferry.ledger/v1',
    bucket: 'landing',
    key,
    eTag: 'e1',
    size: 1,
    dataset: 'orders',
    eventDate: '2026-11-23',
    state: 'qualified',
    runId: 'run-1',
    attempts: 1,
    enqueued: 1,
    skipped: 0,
    lastError: null,
    quality: 'pass',
    timestamps: {},
    updatedAt: '2026-11-24T00:05:00.000Z',
    ...overrides,
  }
}

const entries = [
  entry('orders/b.parquet', {
    state: 'dead-lettered',
    attempts: 3,
    lastError: {
      code: 'FERRY_FORMAT',
      message: 'not a Parquet file:\nbad magic bytes at the end of the file, expected PAR1',
    },
  }),
  entry('orders/a.parquet', { skipped: 2, result: { status: 'written' } as LedgerEntry['result'] }),
  // dead-lettered, then judged: the outcome stays beside the verdict
  entry('orders/d.parquet', {
    quality: 'fail',
    lastError: { code: 'FERRY_FORMAT', message: 'truncated' },
    result: { status: 'dead-lettered' } as LedgerEntry['result'],
  }),
  entry('orders/c.parquet', { dataset: null, state: 'queued', eventDate: '2026-11-24', eTag: 'e2' }),
  entry('orders/a.parquet', {
    eTag: undefined,
    versionId: 'v9',
    updatedAt: '2026-11-23T00:05:00.000Z',
    state: 'written',
  }),
]
const datasetOf = (key: string) => (key.startsWith('orders/') ? 'orders' : null)

describe('selectEntries', () => {
  it('filters on event date, state and dataset (matched from the key before a worker set it)', () => {
    const keys = (filter: Parameters<typeof selectEntries>[1]) =>
      selectEntries(entries, filter, datasetOf).map((e) => `${e.key}@${e.eTag ?? e.versionId}`)
    expect(keys({})).toEqual([
      'orders/a.parquet@v9',
      'orders/a.parquet@e1',
      'orders/b.parquet@e1',
      'orders/c.parquet@e2',
      'orders/d.parquet@e1',
    ])
    expect(keys({ date: '2026-11-24' })).toEqual(['orders/c.parquet@e2'])
    expect(keys({ state: 'dead-lettered' })).toEqual(['orders/b.parquet@e1', 'orders/d.parquet@e1'])
    expect(keys({ state: 'qualified' })).toEqual(['orders/a.parquet@e1', 'orders/d.parquet@e1'])
    expect(keys({ quality: 'fail' })).toEqual(['orders/d.parquet@e1'])
    expect(keys({ state: 'written', quality: 'pass' })).toEqual(['orders/a.parquet@e1'])
    expect(keys({ dataset: 'orders', state: 'queued' })).toEqual(['orders/c.parquet@e2'])
    expect(keys({ dataset: 'refunds' })).toEqual([])
  })
})

describe('formatStatus', () => {
  it('prints key, eTag, state, outcome, verdict, attempts, last error and update time, then counts', () => {
    const lines = formatStatus(selectEntries(entries, {}, datasetOf))
    expect(lines[0]).toMatch(/^object\s+eTag\s+state\s+outcome\s+quality\s+attempts\s+last error\s+updated$/)
    expect(lines[1]).toMatch(
      /^landing\/orders\/a\.parquet\s+v:v9\s+written\s+written\s+-\s+1\s+-\s+2026-11-23T00:05:00\.000Z$/,
    )
    expect(lines[2]).toMatch(
      /^landing\/orders\/a\.parquet\s+e1\s+qualified \(2 duplicate\(s\) skipped\)\s+written\s+pass\s+1\s+-/,
    )
    expect(lines[3]).toContain('dead-lettered')
    expect(lines[3]).toContain('FERRY_FORMAT: not a Parquet file: bad magic bytes at the en…')
    expect(lines[5]).toMatch(
      /^landing\/orders\/d\.parquet\s+e1\s+qualified\s+dead-lettered\s+fail\s+1\s+FERRY_FORMAT: truncated/,
    )
    expect(lines.at(-1)).toBe(
      'ledger entries=5 received=0 queued=1 processing=0 written=2 quarantined=0 dead-lettered=2 qualified=2 quality_pass=1 quality_fail=1',
    )
  })
})
