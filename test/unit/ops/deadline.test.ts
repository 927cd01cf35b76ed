import { describe, expect, it } from 'vitest'
import type { LedgerEntry } from '../../../src/core/messages.js'
import { checkDataset, deadlineInstant } from '../../../src/ops/deadline.js'

function entry(key: string, state: LedgerEntry['state'], extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    schema: 'ferry.ledger/v1',
    bucket: 'landing',
    key,
    size: 1,
    dataset: 'orders',
    eventDate: '2026-11-23',
    state,
    runId: 'run-1',
    attempts: 1,
    enqueued: 1,
    skipped: 0,
    lastError: null,
    timestamps: {},
    updatedAt: '2026-11-24T00:05:00Z',
    ...extra,
  }
}

const outputOf = (e: LedgerEntry) => `out/${e.key}`

describe('dead-man check per dataset', () => {
  it('passes a complete night', () => {
    const ledger = [entry('a', 'qualified'), entry('b', 'written')]
    const verdict = checkDataset(
      { dataset: 'orders', expected: { count: 2, tolerance: 0 }, ledger, outputs: new Set(['out/a', 'out/b']) },
      outputOf,
    )
    expect(verdict).toMatchObject({ ok: true, arrived: 2, written: 2, outputs: 2, problems: [] })
  })

  it('fails when an output is missing, a file is stuck or dead-lettered, or too few arrived', () => {
    const ledger = [
      entry('a', 'qualified'),
      entry('b', 'processing'),
      entry('c', 'dead-lettered', { lastError: { code: 'FERRY_FORMAT', message: 'bad magic' } }),
      entry('d', 'written'),
    ]
    const verdict = checkDataset(
      { dataset: 'orders', expected: { count: 5, tolerance: 1 }, ledger, outputs: new Set(['out/a']) },
      outputOf,
    )
    expect(verdict.ok).toBe(false)
    expect(verdict.problems).toEqual([
      'expected 5 file(s) (tolerance 1), 1 output(s) written',
      '1 file(s) not finished: b (processing)',
      '1 file(s) dead-lettered: c (FERRY_FORMAT)',
      '1 output(s) missing: d',
    ])
  })

  it('treats a night with nothing at all as a failure even without an expected count', () => {
    expect(checkDataset({ dataset: 'orders', ledger: [], outputs: new Set() }, outputOf).problems).toEqual([
      'no file arrived and no output was written',
    ])
  })
})

describe('deadline instant', () => {
  it('is HH:MM on the morning after the night, in the time zone', () => {
    expect(deadlineInstant('2026-11-23', '01:00', 'UTC').toISOString()).toBe('2026-11-24T01:00:00.000Z')
    expect(deadlineInstant('2026-11-23', '01:00', 'Europe/Berlin').toISOString()).toBe('2026-11-24T00:00:00.000Z')
    expect(deadlineInstant('2026-07-01', '01:30', 'Europe/Berlin').toISOString()).toBe('2026-07-01T23:30:00.000Z')
    expect(() => deadlineInstant('2026-11-23', '25:00', 'UTC')).toThrow(/HH:MM/)
  })
})
