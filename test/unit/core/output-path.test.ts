import { describe, expect, it } from 'vitest'
import { eventDateOf, outputKey, quarantineKey } from '../../../src/core/output-path.js'

describe('output paths', () => {
  const source = { bucket: 'landing', key: 'orders/2026-11-23/orders 0001.parquet' }

  it('is deterministic and derived from dataset, event date and source identity', () => {
    const key = outputKey('ferry', 'orders', '2026-11-23', source)
    expect(key).toMatch(/^ferry\/orders\/date=2026-11-23\/orders_0001-[0-9a-f]{12}\.parquet$/)
    expect(outputKey('ferry', 'orders', '2026-11-23', { ...source })).toBe(key)
  })

  it('keeps two sources with the same file name apart', () => {
    const a = outputKey('', 'orders', '2026-11-23', { bucket: 'a', key: 'x/orders.parquet' })
    const b = outputKey('', 'orders', '2026-11-23', { bucket: 'a', key: 'y/orders.parquet' })
    expect(a).not.toBe(b)
    expect(a.startsWith('orders/date=2026-11-23/orders-')).toBe(true)
  })

  it('never lets a hostile key escape its folder', () => {
    const key = outputKey('out', 'orders', '2026-11-23', { bucket: 'b', key: '../../etc/..passwd%00.csv.gz' })
    expect(key).toMatch(/^out\/orders\/date=2026-11-23\/passwd_00-[0-9a-f]{12}\.parquet$/)
    expect(quarantineKey('q', 'orders', '2026-11-23', source)).toMatch(/^q\/orders\/date=2026-11-23\/.*\.ndjson$/)
  })

  it('takes the UTC date of the event time', () => {
    expect(eventDateOf('2026-11-23T23:59:59+00:00')).toBe('2026-11-23')
    expect(eventDateOf('2026-11-24T00:30:00+02:00')).toBe('2026-11-23')
    expect(() => eventDateOf('yesterday')).toThrow(RangeError)
  })
})
