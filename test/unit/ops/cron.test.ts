import { afterEach, describe, expect, it, vi } from 'vitest'
import { nextRun, parseCron, timerAt } from '../../../src/ops/cron.js'

const runs = (expression: string, timeZone: string, from: string, count: number) => {
  const schedule = parseCron(expression, timeZone)
  const out: string[] = []
  let at = new Date(from)
  for (let i = 0; i < count; i++) {
    at = nextRun(schedule, at)
    out.push(at.toISOString())
  }
  return out
}

describe('cron schedule (croner)', () => {
  it('runs the default 00:01 every night, in UTC', () => {
    expect(runs('1 0 * * *', 'UTC', '2026-11-23T12:00:00Z', 2)).toEqual([
      '2026-11-24T00:01:00.000Z',
      '2026-11-25T00:01:00.000Z',
    ])
  })

  it('honours a time zone through summer and winter time', () => {
    expect(runs('1 0 * * *', 'Europe/Berlin', '2026-11-23T12:00:00Z', 1)).toEqual(['2026-11-23T23:01:00.000Z'])
    expect(runs('1 0 * * *', 'Europe/Berlin', '2026-07-01T12:00:00Z', 1)).toEqual(['2026-07-01T22:01:00.000Z'])
  })

  it('runs a 01:30 schedule once on the New York fall-back night, not twice', () => {
    expect(runs('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 3)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, the first 01:30
      '2026-11-02T06:30:00.000Z', // 01:30 EST
      '2026-11-03T06:30:00.000Z',
    ])
  })

  it('runs a 02:30 schedule in the spring-forward gap at 03:00, not never', () => {
    expect(runs('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-08T07:00:00.000Z', // 03:00 EDT: 02:30 does not exist that night
      '2026-03-09T06:30:00.000Z',
    ])
  })

  it('finds Feb 29 schedules and yearly ones', () => {
    expect(runs('0 0 29 2 *', 'UTC', '2026-03-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ])
    expect(runs('0 0 1 1 *', 'UTC', '2026-06-01T00:00:00Z', 1)).toEqual(['2027-01-01T00:00:00.000Z'])
  })

  it('supports lists, ranges, steps, weekdays (7 = Sunday) and either day field when both are set', () => {
    expect(runs('*/15 9-17 * * 1-5', 'UTC', '2026-11-21T10:00:00Z', 1)).toEqual(['2026-11-23T09:00:00.000Z'])
    expect(runs('0 3 * * 7', 'UTC', '2026-11-23T00:00:00Z', 1)).toEqual(['2026-11-29T03:00:00.000Z'])
    expect(runs('0 0 1 * 1', 'UTC', '2026-11-24T00:00:00Z', 2)).toEqual([
      '2026-11-30T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
    ])
  })

  it('rejects malformed expressions, unknown time zones and schedules that never run, clearly', () => {
    expect(() => parseCron('1 0 * *')).toThrow(/has 5 fields/)
    expect(() => parseCron('0 1 0 * * *')).toThrow(/has 5 fields/)
    expect(() => parseCron('61 0 * * *')).toThrow(/bad cron expression "61 0 \* \* \*": Invalid value for minute: 61/)
    expect(() => parseCron('1 0 * * *', 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/)
    expect(() => parseCron('0 0 31 2 *')).toThrow(/never runs/)
  })
})

describe('timerAt', () => {
  afterEach(() => vi.useRealTimers())

  it('waits out a delay longer than a timer holds (2^31 ms, ~24.8 days) instead of firing at once', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
    const fire = vi.fn()
    timerAt(new Date('2026-03-01T00:00:00Z'), fire)
    vi.advanceTimersByTime(2 ** 31 - 1)
    expect(fire).not.toHaveBeenCalled()
    vi.advanceTimersByTime(Date.parse('2026-03-01T00:00:00Z') - Date.now() - 1)
    expect(fire).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fire).toHaveBeenCalledTimes(1)
  })

  it('can be cancelled', () => {
    vi.useFakeTimers()
    const fire = vi.fn()
    timerAt(new Date(Date.now() + 1000), fire).cancel()
    vi.advanceTimersByTime(2000)
    expect(fire).not.toHaveBeenCalled()
  })
})
