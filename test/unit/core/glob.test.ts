import { describe, expect, it } from 'vitest'
import { globRegExp } from '../../../src/core/glob.js'

const matches = (pattern: string, key: string) => globRegExp(pattern).test(key)

describe('globRegExp (object keys, not file paths)', () => {
  it.each([
    ['orders/**', 'orders/2026/a.csv', true],
    ['orders/**', 'orders', true],
    ['orders/**', 'ordersx/a', false],
    ['**/orders/**', 'orders/a.csv', true],
    ['**/orders/**', 'landing/orders/a.csv', true],
    ['**/orders/**', 'preorders/a.csv', false],
    ['**/orders/**', 'orders/bad/keys/../../orders-dot-dot.csv', true],
    ['**/orders[-_]*', 'orders_2026.csv', true],
    ['**/orders[-_]*', 'x/y/orders-1.parquet', true],
    ['**/orders[-_]*', 'x/orders-y/z.parquet', false],
    ['crm/*/customers_*.csv', 'crm/2026-11-23/customers_1.csv', true],
    ['crm/*/customers_*.csv', 'crm/a/b/customers_1.csv', false],
    ['crm/*/customers_*.csv', 'crm/.hidden/customers_1.csv', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**b', 'a/x/yb', true],
    ['file?.csv', 'file1.csv', true],
    ['file?.csv', 'file12.csv', false],
    ['file?.csv', 'file/.csv', false],
    ['[0-9][0-9].csv', '42.csv', true],
    ['[!0-9]*.csv', '42.csv', false],
    ['[!0-9]*.csv', 'x2.csv', true],
    ['*.{csv,tsv}{,.gz}', 'a.tsv.gz', true],
    ['*.{csv,tsv}{,.gz}', 'a.csv', true],
    ['*.{csv,tsv}{,.gz}', 'a.json', false],
    ['{events,clicks}/**/*.ndjson', 'clicks/x/y.ndjson', true],
    ['a+b(1).csv', 'a+b(1).csv', true],
    ['a+b(1).csv', 'aab1.csv', false],
    ['literal\\*.csv', 'literal*.csv', true],
    ['literal\\*.csv', 'literalx.csv', false],
    ['{a,b', '{a,b', true],
    ['[abc', '[abc', true],
  ])('%s against %s: %s', (pattern, key, expected) => {
    expect(matches(pattern, key)).toBe(expected)
  })
})
