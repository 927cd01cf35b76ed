import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import type { FileResult, QualityEvent } from '../../../src/core/messages.js'
import { checkFile, DEFAULT_THRESHOLDS, qualityEvent } from '../../../src/core/quality.js'
import {
  entryKey,
  type HistoryLocation,
  nightKey,
  readEntries,
  readNight,
  recordEntry,
  trailingNights,
  writeNight,
} from '../../../src/ops/history.js'
import { historyEntry, rollup } from '../../../src/ops/history-rollup.js'
import type { HistoryEntry } from '../../../src/ops/history-schema.js'
import type { DatasetNight } from '../../../src/ops/report/model.js'

function result(key: string, overrides: Partial<FileResult> = {}): FileResult {
  return {
    schema: 'ferry.file-result/v1',
    runId: 'run-1',
    traceId: 'f'.repeat(32),
    dataset: 'orders',
    source: { bucket: 'landing', key, uri: `s3://landing/${key}`, size: 10 },
    status: 'written',
    rowsIn: 100,
    rowsOut: 100,
    rowsRejected: 0,
    bytesIn: 1000,
    bytesOut: 800,
    durationsMs: { total: 50 },
    output: null,
    quarantine: null,
    firstErrors: [],
    error: null,
    attempts: 1,
    eventDate: '2026-11-23',
    processedAt: '2026-11-24T00:02:00.000Z',
    ...overrides,
  }
}

function entry(key: string, overrides: Partial<FileResult> = {}): HistoryEntry {
  const r = result(key, overrides)
  const event: QualityEvent = qualityEvent(r, checkFile(r, DEFAULT_THRESHOLDS), new Date('2026-11-24T00:03:00Z'))
  return historyEntry(r, event)
}

const META = { dataset: 'orders', date: '2026-11-23', runId: 'run-1', updatedAt: '2026-11-24T00:05:00.000Z' }

describe('rollup', () => {
  it('adds up a dataset-night in the report model shape', () => {
    const night = rollup(
      [
        entry('o/b', { durationsMs: { total: 70 } }),
        entry('o/a', { rowsOut: 90, rowsRejected: 10 }),
        entry('o/c', {
          status: 'dead-lettered',
          rowsIn: 0,
          rowsOut: 0,
          bytesIn: 0,
          bytesOut: 0,
          error: { code: 'FERRY_FORMAT', message: 'bad magic', retryable: false },
        }),
      ],
      META,
    )
    expect(night).toEqual<DatasetNight>({
      ...META,
      files: 3,
      filesWritten: 2,
      filesDeadLettered: 1,
      rowsIn: 200,
      rowsOut: 190,
      rowsRejected: 10,
      bytesIn: 2000,
      bytesOut: 1600,
      durationMsTotal: 170,
      durationMsMax: 70,
      qualityPass: 1,
      qualityFail: 2,
      failures: [
        {
          key: 'landing/o/a',
          reason:
            'row_ratio: 90 of 100 rows written (ratio 0.9, minimum 0.95); rejected_rate: 10 row(s) rejected (rate 0.1, maximum 0.05)',
        },
        { key: 'landing/o/c', reason: 'dead-lettered: bad magic' },
      ],
      slowest: [
        { key: 'landing/o/b', durationMs: 70 },
        { key: 'landing/o/a', durationMs: 50 },
        { key: 'landing/o/c', durationMs: 50 },
      ],
    })
  })

  it('lists night failures first and keeps at most 20 failures and the 5 slowest', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      entry(`o/${String(i).padStart(2, '0')}`, { rowsOut: 0, rowsRejected: 100, durationsMs: { total: i } }),
    )
    const night = rollup(many, { ...META, nightFailures: [{ key: '(night)', reason: 'expected_files: 30' }] })
    expect(night.failures).toHaveLength(20)
    expect(night.failures[0]).toEqual({ key: '(night)', reason: 'expected_files: 30' })
    expect(night.slowest.map((s) => s.durationMs)).toEqual([29, 28, 27, 26, 25])
    expect(night.qualityFail).toBe(30)
  })
})

describe('the history store', () => {
  const location = (): HistoryLocation => ({
    store: new LocalObjectStore({ root: mkdtempSync(join(tmpdir(), 'ferry-history-')) }),
    bucket: 'lake',
    prefix: 'ferry',
  })

  it('keeps one entry per source object beside the outputs; a re-evaluation replaces it', async () => {
    const at = location()
    await recordEntry(at, entry('o/a', { rowsIn: 1, rowsOut: 1 }))
    await recordEntry(at, entry('o/b'))
    await recordEntry(at, entry('o/a', { rowsIn: 5, rowsOut: 5 })) // the same file again: last writer wins
    await at.store.put('lake', 'ferry/_ferry/history/orders/2026-11-23/files/junk.json', Buffer.from('{'))
    const { entries, unreadable } = await readEntries(at, 'orders', '2026-11-23')
    expect(entries.map((e) => [e.key, e.rowsIn]).sort()).toEqual([
      ['landing/o/a', 5],
      ['landing/o/b', 100],
    ])
    expect(unreadable).toEqual(['ferry/_ferry/history/orders/2026-11-23/files/junk.json'])
    expect(entryKey('ferry', 'orders', '2026-11-23', 'landing/o/a')).toMatch(
      /^ferry\/_ferry\/history\/orders\/2026-11-23\/files\/[0-9a-f]{16}\.json$/,
    )
  })

  it('stores a night at <prefix>/_ferry/history/<dataset>/<date>.json and reads trailing nights', async () => {
    const at = location()
    const night = (date: string, files: number) => ({ ...rollup([], { ...META, date }), files })
    await writeNight(at, night('2026-11-20', 3))
    await writeNight(at, night('2026-11-21', 0)) // a night without files is no history
    await writeNight(at, night('2026-11-22', 4))
    await writeNight(at, night('2026-11-23', 5)) // tonight itself is not history
    await at.store.put('lake', nightKey('ferry', 'orders', '2026-11-19'), Buffer.from('not json'))
    expect(nightKey('', 'orders', '2026-11-23')).toBe('_ferry/history/orders/2026-11-23.json')
    expect(await at.store.head('lake', 'ferry/_ferry/history/orders/2026-11-22.json')).toBeDefined()
    expect((await readNight(at, 'orders', '2026-11-22'))?.files).toBe(4)
    expect(await readNight(at, 'orders', '2026-11-18')).toBeUndefined()
    const trailing = await trailingNights(at, 'orders', '2026-11-23', 7)
    expect(trailing.map((n) => [n.date, n.files])).toEqual([
      ['2026-11-20', 3],
      ['2026-11-22', 4],
    ])
    expect(await trailingNights(at, 'orders', '2026-11-23', 2)).toHaveLength(1)
  })
})
