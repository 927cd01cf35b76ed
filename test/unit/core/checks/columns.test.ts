import { describe, expect, it } from 'vitest'
import {
  type ColumnarBatch,
  needsOutputStats,
  outputStats,
  StatsCollector,
} from '../../../../src/core/checks/column-stats.js'
import { columnChecks, outputRowsCheck, outputUnreadable } from '../../../../src/core/checks/columns.js'
import type { DatasetChecks } from '../../../../src/core/checks/config.js'
import type { OutputColumn, Row } from '../../../../src/core/dataset.js'
import { bytesReader, writeParquet } from '../../../../src/core/formats/parquet.js'

const columns: OutputColumn[] = [
  { name: 'id', type: 'string' },
  { name: 'amount', type: 'double' },
  { name: 'at', type: 'timestamp' },
  { name: 'currency', type: 'string' },
]

const PROCESSED_AT = '2026-11-24T00:30:00.000Z'

function rows(n: number, overrides: (i: number) => Row = () => ({})): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `id-${i}`,
    amount: i,
    at: `2026-11-23T${String(i % 24).padStart(2, '0')}:00:00.000Z`,
    currency: 'EUR',
    ...overrides(i),
  }))
}

/** Rows as the column arrays a Parquet batch holds. */
function batch(data: Row[]): ColumnarBatch {
  return {
    length: data.length,
    columns: Object.fromEntries(columns.map((c) => [c.name, data.map((row) => row[c.name] ?? null)])),
  }
}

function run(checks: DatasetChecks, data: Row[]) {
  const collector = new StatsCollector(checks, columns)
  // two batches, as row groups arrive: statistics must add up across them
  collector.add(batch(data.slice(0, Math.floor(data.length / 2))))
  collector.add(batch(data.slice(Math.floor(data.length / 2))))
  return columnChecks(checks, collector.stats(), columns, PROCESSED_AT)
}

const only = (results: ReturnType<typeof run>) => {
  expect(results).toHaveLength(1)
  return results[0]!
}

describe('null rate', () => {
  const checks: DatasetChecks = { nullRate: [{ column: 'currency', max: 0.1 }] }

  it('passes at the limit and fails just above it', () => {
    expect(
      only(
        run(
          checks,
          rows(100, (i) => (i < 10 ? { currency: null } : {})),
        ),
      ),
    ).toMatchObject({
      name: 'null_rate:currency',
      status: 'pass',
      observed: 0.1,
      threshold: 0.1,
    })
    expect(
      only(
        run(
          checks,
          rows(100, (i) => (i < 11 ? { currency: undefined } : {})),
        ),
      ),
    ).toMatchObject({
      status: 'fail',
      observed: 0.11,
    })
  })

  it('takes the configured severity and passes an empty file', () => {
    const warn: DatasetChecks = { nullRate: [{ column: 'currency', max: 0, severity: 'warn' }] }
    expect(
      only(
        run(
          warn,
          rows(4, () => ({ currency: null })),
        ),
      ),
    ).toMatchObject({ status: 'warn', severity: 'warn' })
    expect(only(run(warn, []))).toMatchObject({ status: 'pass', observed: 0 })
  })
})

describe('duplicates', () => {
  it('counts rows whose key was already seen, across batches, on compound keys', () => {
    const data = rows(10, (i) => ({ id: `id-${i % 8}` })) // id-0 and id-1 repeat once each, in the second half
    expect(only(run({ duplicates: [{ columns: ['id'] }] }, data))).toMatchObject({
      name: 'duplicates:id',
      status: 'fail',
      observed: 2,
      threshold: 0,
    })
    expect(only(run({ duplicates: [{ columns: ['id'], max: 2 }] }, data))).toMatchObject({ status: 'pass' })
    expect(only(run({ duplicates: [{ columns: ['id', 'amount'] }] }, data))).toMatchObject({
      name: 'duplicates:id+amount',
      status: 'pass',
      observed: 0,
    })
  })

  it('treats null key parts as values, so two rows without an id are duplicates', () => {
    const data = rows(3, (i) => (i > 0 ? { id: null } : {}))
    expect(only(run({ duplicates: [{ columns: ['id'] }] }, data)).observed).toBe(1)
  })
})

describe('allowed values', () => {
  const checks: DatasetChecks = { allowedValues: [{ column: 'currency', values: ['EUR', 'USD'] }] }

  it('passes known values and ignores nulls', () => {
    expect(
      only(
        run(
          checks,
          rows(5, (i) => ({ currency: i % 2 ? 'USD' : null })),
        ),
      ),
    ).toMatchObject({
      status: 'pass',
      observed: 0,
    })
  })

  it('counts values outside the list and quotes a few distinct ones', () => {
    const result = only(
      run(
        checks,
        rows(20, (i) => ({ currency: i < 12 ? `X${i % 6}` : 'EUR' })),
      ),
    )
    expect(result).toMatchObject({ name: 'allowed_values:currency', status: 'fail', observed: 12, threshold: 0 })
    expect(result.message).toBe('12 value(s) of currency are not allowed, e.g. "X0", "X1", "X2", "X3", "X4"')
  })
})

describe('range', () => {
  it('passes values on the bounds and fails one just outside', () => {
    const checks: DatasetChecks = { range: [{ column: 'amount', min: 0, max: 9 }] }
    expect(only(run(checks, rows(10)))).toMatchObject({
      name: 'range:amount',
      status: 'pass',
      observed: '0..9',
      threshold: '0..9',
    })
    expect(
      only(
        run(
          checks,
          rows(10, (i) => (i === 3 ? { amount: 9.01 } : {})),
        ),
      ),
    ).toMatchObject({ status: 'fail' })
    expect(
      only(
        run(
          checks,
          rows(10, (i) => (i === 3 ? { amount: -0.01 } : {})),
        ),
      ),
    ).toMatchObject({ status: 'fail' })
  })

  it('compares timestamps as times, whatever their fraction digits', () => {
    const checks: DatasetChecks = { range: [{ column: 'at', max: '2026-11-23T23:00:00Z' }] }
    expect(only(run(checks, rows(24))).status).toBe('pass') // the newest is 23:00:00.000Z, equal to the bound
    expect(only(run({ range: [{ column: 'at', max: '2026-11-23T22:59:59Z' }] }, rows(24))).status).toBe('fail')
    expect(only(run({ range: [{ column: 'at', min: '2026-11-23' }] }, rows(24))).threshold).toBe('2026-11-23..inf')
  })

  it('has nothing to check on an empty column', () => {
    expect(
      only(
        run(
          { range: [{ column: 'amount', max: 1 }] },
          rows(3, () => ({ amount: null })),
        ),
      ),
    ).toMatchObject({
      status: 'pass',
      observed: null,
    })
  })
})

describe('freshness', () => {
  const checks: DatasetChecks = { freshness: { column: 'at', maxAgeHours: 24 } }

  it('measures the newest value against the processing time', () => {
    // newest: 2026-11-23T00:30Z is exactly 24 h before PROCESSED_AT
    const edge = rows(1, () => ({ at: '2026-11-23T00:30:00.000Z' }))
    expect(only(run(checks, edge))).toMatchObject({ name: 'freshness:at', status: 'pass', observed: 24 })
    const stale = rows(1, () => ({ at: '2026-11-23T00:29:00.000Z' }))
    expect(only(run(checks, stale))).toMatchObject({ status: 'fail', observed: 24.0167 })
  })

  it('takes values a little newer than the run as clock skew, fails values far in the future, and no values', () => {
    // PROCESSED_AT is 2026-11-24T00:30Z; the default tolerance is 15 minutes
    const skewed = only(
      run(
        checks,
        rows(1, () => ({ at: '2026-11-24T00:40:00.000Z' })),
      ),
    )
    expect(skewed).toMatchObject({ status: 'pass' })
    const future = only(
      run(
        checks,
        rows(1, () => ({ at: '2026-11-25T00:30:00.000Z' })),
      ),
    )
    expect(future).toMatchObject({ status: 'fail', observed: -24 })
    expect(future.message).toBe(
      'the newest at (2026-11-25T00:30:00.000Z) is 24 h later than the run: in the future (at most 15 min allowed)',
    )
    const warned = {
      freshness: { column: 'at', maxAgeHours: 24, maxFutureMinutes: 60 * 48, severity: 'warn' as const },
    }
    expect(
      only(
        run(
          warned,
          rows(1, () => ({ at: '2026-11-25T00:30:00.000Z' })),
        ),
      ).status,
    ).toBe('pass')
    const tight = { freshness: { column: 'at', maxAgeHours: 24, maxFutureMinutes: 0, severity: 'warn' as const } }
    expect(
      only(
        run(
          tight,
          rows(1, () => ({ at: '2026-11-24T00:40:00.000Z' })),
        ),
      ).status,
    ).toBe('warn')
    expect(
      only(
        run(
          checks,
          rows(2, () => ({ at: null })),
        ),
      ),
    ).toMatchObject({ status: 'fail', observed: null })
  })
})

describe('output rows', () => {
  it('compares the rows in the written file with what the worker reported', () => {
    const collector = new StatsCollector({}, columns)
    collector.add(batch(rows(5)))
    expect(outputRowsCheck(collector.stats(), 5).status).toBe('pass')
    expect(outputRowsCheck(collector.stats(), 6)).toMatchObject({ status: 'fail', observed: 5, threshold: 6 })
    expect(outputUnreadable('gone')).toMatchObject({ name: 'output_rows', status: 'fail', observed: null })
  })
})

describe('outputStats', () => {
  it('reads a written Parquet file row group by row group, in row-model form', async () => {
    const data = rows(30, (i) => ({ currency: i % 10 === 0 ? null : 'EUR', id: `id-${i % 25}` }))
    const bytes = writeParquet(columns, data, { rowGroupSize: 7 })
    const checks: DatasetChecks = {
      nullRate: [{ column: 'currency', max: 0 }],
      duplicates: [{ columns: ['id'] }],
      range: [{ column: 'at', max: '2026-11-23T23:00:00Z' }],
    }
    const stats = await outputStats(bytesReader(bytes), checks, columns)
    expect(stats.rows).toBe(30)
    expect(stats.duplicates).toEqual([5])
    expect(stats.columns.get('currency')).toEqual({ nulls: 3, min: 'EUR', max: 'EUR' })
    expect(stats.columns.get('at')).toMatchObject({ min: '2026-11-23T00:00:00.000Z', max: '2026-11-23T23:00:00.000Z' })
  })

  it('is only needed when a column check is declared', () => {
    expect(needsOutputStats(undefined)).toBe(false)
    expect(needsOutputStats({ schemaDrift: {}, volume: {}, files: { expected: 1 } })).toBe(false)
    expect(needsOutputStats({ nullRate: [] })).toBe(false)
    expect(needsOutputStats({ freshness: { column: 'at', maxAgeHours: 1 } })).toBe(true)
  })
})

describe('values as Parquet decodes them', () => {
  it('reads millisecond timestamps (Dates) and INT64 (BigInts) in row-model form', () => {
    const collector = new StatsCollector(
      {
        range: [{ column: 'at', max: '2026-11-23T12:00:00Z' }],
        allowedValues: [{ column: 'n', values: [1, 2] }],
        duplicates: [{ columns: ['n'] }],
      },
      [
        { name: 'at', type: 'timestamp' },
        { name: 'n', type: 'int64' },
      ],
    )
    collector.add({
      length: 3,
      columns: {
        at: [new Date('2026-11-23T10:00:00Z'), null, new Date('2026-11-23T11:00:00Z')],
        n: [1n, 2n, 2n ** 60n],
      },
    })
    const stats = collector.stats()
    expect(stats.columns.get('at')).toEqual({
      nulls: 1,
      min: '2026-11-23T10:00:00.000Z',
      max: '2026-11-23T11:00:00.000Z',
    })
    expect(stats.notAllowed).toEqual([{ count: 1, examples: ['1152921504606846976'] }])
    expect(stats.duplicates).toEqual([0])
  })
})
