import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../../src/errors.js'
import { parseDuration, parseInstant, parseSince } from '../../../../src/ops/replay/time.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe('parseDuration (ISO-8601)', () => {
  it.each([
    ['PT2H', 2 * HOUR],
    ['P1D', DAY],
    ['PT30M', 30 * 60_000],
    ['PT45S', 45_000],
    ['PT1.5S', 1500],
    ['PT0,5H', HOUR / 2],
    ['P1DT12H', DAY + 12 * HOUR],
    ['P2W', 14 * DAY],
    ['P1W2DT3H4M5S', 9 * DAY + 3 * HOUR + 4 * 60_000 + 5000],
    ['pt2h', 2 * HOUR],
    [' PT2H ', 2 * HOUR],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', 'P', 'PT', 'P1DT', '2H', 'PT2', 'PT-2H', 'P1H', 'T2H', 'PT2H30', 'P1.5'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError)
    expect(() => parseDuration(text)).toThrow(/not an ISO-8601 duration.*e\.g\. PT2H/)
  })

  it('refuses years and months, which have no fixed length, and says what to use', () => {
    expect(() => parseDuration('P1M')).toThrow(/use days, e\.g\. P30D/)
    expect(() => parseDuration('P1Y')).toThrow(/use days/)
    // M after T is minutes, not months
    expect(parseDuration('PT1M')).toBe(60_000)
  })
})

describe('parseInstant', () => {
  it('reads a date as midnight UTC and a date-time with its zone', () => {
    expect(parseInstant('2026-11-23').toISOString()).toBe('2026-11-23T00:00:00.000Z')
    expect(parseInstant('2026-11-23T22:30:00Z').toISOString()).toBe('2026-11-23T22:30:00.000Z')
    expect(parseInstant('2026-11-24T00:30:00+01:00').toISOString()).toBe('2026-11-23T23:30:00.000Z')
    expect(parseInstant('2026-11-23T22:30Z').toISOString()).toBe('2026-11-23T22:30:00.000Z')
    expect(parseInstant('2026-11-23T22:30:00.250Z').toISOString()).toBe('2026-11-23T22:30:00.250Z')
  })

  it.each(['2026-11-23T22:30:00', 'yesterday', '23/11/2026', '2026-13-40', '2026-11-23T25:00:00Z'])(
    'refuses %j (no zone, or not a date)',
    (text) => {
      expect(() => parseInstant(text)).toThrow(UsageError)
    },
  )
})

describe('parseSince', () => {
  const now = new Date('2026-11-24T06:00:00Z')

  it('takes a duration back from now, or an instant', () => {
    expect(parseSince('PT2H', now).toISOString()).toBe('2026-11-24T04:00:00.000Z')
    expect(parseSince('P1D', now).toISOString()).toBe('2026-11-23T06:00:00.000Z')
    expect(parseSince('2026-11-23T00:00:00Z', now).toISOString()).toBe('2026-11-23T00:00:00.000Z')
  })
})
