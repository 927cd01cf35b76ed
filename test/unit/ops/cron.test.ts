import { describe, expect, it } from 'vitest'
import { nextRun, parseCron } from '../../../src/ops/cron.js'

describe('cron schedule', () => {
  it('runs the default 00:01 every night, in UTC', () => {
    const s = parseCron('1 0 * * *')
    expect(nextRun(s, new Date('2026-11-23T12:00:00Z')).toISOString()).toBe('2026-11-24T00:01:00.000Z')
    expect(nextRun(s, new Date('2026-11-24T00:01:00Z')).toISOString()).toBe('2026-11-25T00:01:00.000Z')
  })

  it('honours a time zone, across a daylight-saving change', () => {
    const s = parseCron('1 0 * * *', 'Europe/Berlin')
    // Winter: UTC+1
    expect(nextRun(s, new Date('2026-11-23T12:00:00Z')).toISOString()).toBe('2026-11-23T23:01:00.000Z')
    // Summer: UTC+2
    expect(nextRun(s, new Date('2026-07-01T12:00:00Z')).toISOString()).toBe('2026-07-01T22:01:00.000Z')
  })

  it('supports lists, ranges, steps and weekdays (7 = Sunday)', () => {
    const s = parseCron('*/15 9-17 * * 1-5')
    expect(nextRun(s, new Date('2026-11-21T10:00:00Z')).toISOString()).toBe('2026-11-23T09:00:00.000Z') // Sat -> Mon
    expect(nextRun(s, new Date('2026-11-23T09:07:00Z')).toISOString()).toBe('2026-11-23T09:15:00.000Z')
    const sunday = parseCron('0 3 * * 7')
    expect(nextRun(sunday, new Date('2026-11-23T00:00:00Z')).toISOString()).toBe('2026-11-29T03:00:00.000Z')
  })

  it('matches either day field when both are restricted, as cron does', () => {
    const s = parseCron('0 0 1 * 1')
    expect(nextRun(s, new Date('2026-11-24T00:00:00Z')).toISOString()).toBe('2026-11-30T00:00:00.000Z') // Monday
    expect(nextRun(s, new Date('2026-11-30T00:00:00Z')).toISOString()).toBe('2026-12-01T00:00:00.000Z') // 1st
  })

  it('rejects malformed expressions and time zones with a clear message', () => {
    expect(() => parseCron('1 0 * *')).toThrow(/needs 5 fields/)
    expect(() => parseCron('61 0 * * *')).toThrow(/minute "61" is out of range 0-59/)
    expect(() => parseCron('a 0 * * *')).toThrow(/bad cron minute field/)
    expect(() => parseCron('1 0 * * *', 'Mars/Olympus')).toThrow(/unknown time zone/)
    expect(() => nextRun(parseCron('0 0 31 2 *'), new Date())).toThrow(/never matches/)
  })
})
