import { describe, expect, it } from 'vitest'
import { globRegExp } from '../../../src/core/glob.js'
import { keyPattern } from '../../../src/core/infer/key-pattern.js'

describe('keyPattern', () => {
  it.each([
    ['crm/2026-11-23/customers_20261123.csv', false, 'crm/*/customers_*.csv'],
    ['web/2026/11/23/events-00.ndjson.gz', false, 'web/*/*/*/events-*.ndjson.gz'],
    ['erp/stock/stock.parquet', false, 'erp/stock/stock.parquet'],
    ['customers_20261123.csv', true, '**/customers_*.csv'],
    ['export-2026-11-23T00:00:00.csv', false, '**/export-*.csv'],
    ['v2/orders-0001.parquet', false, 'v2/orders-*.parquet'],
    ['lake/dt=2026-11-23/part-0.parquet', false, 'lake/dt=*/part-*.parquet'],
  ])('generalises %s (local: %s) to %s', (key, local, pattern) => {
    expect(keyPattern(key, local)).toBe(pattern)
    expect(globRegExp(pattern).test(key)).toBe(true)
  })

  it("matches tomorrow's key", () => {
    expect(
      globRegExp(keyPattern('crm/2026-11-23/customers_20261123.csv', false)).test(
        'crm/2026-11-24/customers_20261124.csv',
      ),
    ).toBe(true)
  })
})
