import { describe, expect, it } from 'vitest'
import {
  daysFromIsoDate,
  epochFromIsoTimestamp,
  isoDateFromDays,
  isoTimestamp,
  utcDateOf,
} from '../../../src/core/temporal.js'

describe('isoDateFromDays / daysFromIsoDate', () => {
  it.each([
    [0, '1970-01-01'],
    [-1, '1969-12-31'],
    [11_016, '2000-02-29'],
    [20_415, '2025-11-23'],
    [-719_162, '0001-01-01'],
    [2_932_896, '9999-12-31'],
    [2_932_897, '+010000-01-01'],
    [-719_163, '0000-12-31'],
    [-719_529, '-000001-12-31'],
  ])('day %i is %s and back', (days, text) => {
    expect(isoDateFromDays(days)).toBe(text)
    expect(daysFromIsoDate(text)).toBe(days)
  })

  it('agrees with Date over four centuries of days', () => {
    for (let days = -80_000; days <= 80_000; days += 97) {
      const text = new Date(days * 86_400_000).toISOString().slice(0, 10)
      expect(isoDateFromDays(days)).toBe(text)
      expect(daysFromIsoDate(text)).toBe(days)
    }
  })

  it.each(['2026-02-29', '2100-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '26-01-01', '2026-1-1', ''])(
    'rejects %j',
    (text) => {
      expect(daysFromIsoDate(text)).toBeUndefined()
    },
  )
})

describe('isoTimestamp', () => {
  it('writes as many fraction digits as the unit carries', () => {
    expect(isoTimestamp(1_763_894_130_123n, 'ms')).toBe('2025-11-23T10:35:30.123Z')
    expect(isoTimestamp(1_763_894_130_123_456n, 'us')).toBe('2025-11-23T10:35:30.123456Z')
    expect(isoTimestamp(1_763_894_130_123_456_789n, 'ns')).toBe('2025-11-23T10:35:30.123456789Z')
  })

  it('handles instants before the epoch', () => {
    expect(isoTimestamp(-1n, 'ms')).toBe('1969-12-31T23:59:59.999Z')
    expect(isoTimestamp(-1n, 'ns')).toBe('1969-12-31T23:59:59.999999999Z')
  })

  it('goes beyond the range of Date instead of failing', () => {
    // 290000-12-30T23:00:00Z in nanoseconds does not fit in a double, nor in Date
    expect(isoTimestamp(9_089_380_393_200_000_000_000n, 'ns')).toBe('+290000-12-30T23:00:00.000000000Z')
  })
})

describe('epochFromIsoTimestamp', () => {
  it.each([
    ['2025-11-23T10:35:30.123Z', 'ms', 1_763_894_130_123n],
    ['2025-11-23T10:35:30.123456Z', 'us', 1_763_894_130_123_456n],
    ['2025-11-23T10:35:30.123456789Z', 'ms', 1_763_894_130_123n],
    ['2025-11-23T10:35:30Z', 'us', 1_763_894_130_000_000n],
    ['2025-11-23T12:35:30.123+02:00', 'ms', 1_763_894_130_123n],
    ['2025-11-23T05:35:30.123-0500', 'ms', 1_763_894_130_123n],
    ['2025-11-23T12:35:30.123+02', 'ms', 1_763_894_130_123n],
    ['2025-11-23 10:35:30.123z', 'ms', 1_763_894_130_123n],
    ['1969-12-31T23:59:59.5Z', 'ms', -500n],
    ['2016-12-31T23:59:60Z', 'ms', 1_483_228_800_000n],
    ['2025-11-23T10:35:30.123456789Z', 'ns', 1_763_894_130_123_456_789n],
    ['+290000-12-30T23:00:00Z', 'ns', 9_089_380_393_200_000_000_000n],
  ] as const)('%s in %s is %s', (text, unit, epoch) => {
    expect(epochFromIsoTimestamp(text, unit)).toBe(epoch)
  })

  it.each([
    '2025-11-23T10:35:30',
    '2025-11-23',
    '2025-02-29T00:00:00Z',
    '2025-11-23T24:00:00Z',
    '2025-11-23T10:60:00Z',
    '2025-11-23T10:00:00+24:00',
    'yesterday',
  ])('rejects %j', (text) => {
    expect(epochFromIsoTimestamp(text, 'ms')).toBeUndefined()
  })

  it('round-trips with isoTimestamp', () => {
    for (const value of [0n, -1n, 1_763_894_130_123_456n, -62_135_596_800_000_000n]) {
      expect(epochFromIsoTimestamp(isoTimestamp(value, 'us'), 'us')).toBe(value)
    }
  })
})

describe('utcDateOf', () => {
  it('is the UTC calendar date, whatever the offset', () => {
    expect(utcDateOf('2025-11-23T23:30:00-02:00')).toBe('2025-11-24')
    expect(utcDateOf('2025-11-24T00:30:00+02:00')).toBe('2025-11-23')
    expect(utcDateOf('1969-12-31T23:59:59.999Z')).toBe('1969-12-31')
    expect(utcDateOf('not a time')).toBeUndefined()
  })
})
