import { describe, expect, it } from 'vitest'
import { robustScore, volumeChecks } from '../../../../src/core/checks/volume.js'

const steady = [1000, 1010, 990, 1005, 995, 1002, 998]
const nights = (values: number[]) => values.map((v) => ({ rowsIn: v, bytesIn: v * 100 }))

describe('robustScore', () => {
  it('is the modified z-score 0.6745 * (x - median) / MAD', () => {
    // median 1000; absolute deviations 0,10,10,5,5,2,2 -> MAD 5
    const score = robustScore(1020, steady)
    expect(score).toMatchObject({ median: 1000, mad: 5 })
    expect(score.z).toBeCloseTo((0.6745 * 20) / 5, 10)
    expect(robustScore(1000, steady).z).toBe(0)
  })

  it('is not moved by one bad night in the history', () => {
    expect(robustScore(1020, [...steady.slice(1), 50_000]).z).toBeLessThan(3.5)
  })

  it('falls back to the mean absolute deviation when the MAD is 0', () => {
    // median 1000, MAD 0; mean absolute deviation 3 * 300 / 7
    const history = [1000, 1000, 1000, 1000, 1300, 700, 1300]
    const meanAd = 900 / 7
    expect(robustScore(2000, history).z).toBeCloseTo(1000 / (1.253314 * meanAd), 10)
  })

  it('stays finite on a flat history: the spread is floored at 1% of the median, or 1', () => {
    const flat = [1000, 1000, 1000, 1000, 1000, 1000, 1000]
    expect(robustScore(1001, flat).z).toBe(0.1)
    expect(robustScore(10_000, flat).z).toBe(900)
    expect(robustScore(0, [0, 0, 0]).z).toBe(0)
    expect(robustScore(1, [0, 0, 0]).z).toBe(1)
  })

  it('needs history', () => {
    expect(() => robustScore(1, [])).toThrow(RangeError)
  })
})

describe('volumeChecks', () => {
  const config = { minHistory: 7, maxZ: 3.5 }

  it('fails a 10x spike on rows and bytes once there is enough history', () => {
    const checks = volumeChecks({ rowsIn: 10_000, bytesIn: 1_000_000 }, nights(steady), config)
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['volume_rows', 'fail'],
      ['volume_bytes', 'fail'],
    ])
    expect(checks[0]).toMatchObject({ severity: 'fail', threshold: 3.5, observed: 1214.1 })
  })

  it('cannot fail before minHistory nights, but reports the score', () => {
    const checks = volumeChecks({ rowsIn: 10_000, bytesIn: 1_000_000 }, nights(steady.slice(0, 6)), config)
    expect(checks.map((c) => c.status)).toEqual(['pass', 'pass'])
    expect(checks[0]?.observed).toBeGreaterThan(3.5)
    expect(checks[0]?.message).toContain('only 6 of 7 night(s) of history')
    const none = volumeChecks({ rowsIn: 10, bytesIn: 10 }, [], config)
    expect(none[0]).toMatchObject({ status: 'pass', observed: null })
  })

  it('is two-sided: a collapse fails too', () => {
    expect(volumeChecks({ rowsIn: 100, bytesIn: 100_000 }, nights(steady), config)[0]?.status).toBe('fail')
  })

  it('passes at the limit and fails just beyond it', () => {
    // z = 0.6745 * d / 5 = 3.5 at d = 25.945...
    const at = volumeChecks({ rowsIn: 1025, bytesIn: 100_000 }, nights(steady), config)[0]
    const beyond = volumeChecks({ rowsIn: 1026, bytesIn: 100_000 }, nights(steady), config)[0]
    expect(at?.status).toBe('pass')
    expect(beyond?.status).toBe('fail')
  })

  it('takes the configured severity and defaults', () => {
    const warn = volumeChecks({ rowsIn: 10_000, bytesIn: 0 }, nights(steady), { severity: 'warn' })
    expect(warn[0]).toMatchObject({ status: 'warn', severity: 'warn', threshold: 3.5 })
  })
})
