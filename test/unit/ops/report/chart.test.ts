import { describe, expect, it } from 'vitest'
import { axisTicks, renderChart } from '../../../../src/ops/report/chart.js'

describe('axisTicks', () => {
  it('steps in round numbers and always ends above the maximum', () => {
    expect(axisTicks(15_450, true)).toEqual([0, 5_000, 10_000, 15_000, 20_000])
    expect(axisTicks(6, true)).toEqual([0, 2, 4, 6, 8])
    expect(axisTicks(12.18, false)).toEqual([0, 5, 10, 15])
  })

  it('never gives counts a fractional step', () => {
    expect(axisTicks(2, true)).toEqual([0, 1, 2, 3])
    expect(axisTicks(0, true)).toEqual([0, 1])
  })

  it('keeps float noise out of small fractional ticks', () => {
    expect(axisTicks(0.17, false)).toEqual([0, 0.05, 0.1, 0.15, 0.2])
    expect(axisTicks(0.3, false)).toEqual([0, 0.1, 0.2, 0.3, 0.4])
  })
})

describe('renderChart', () => {
  const base = {
    kind: 'files' as const,
    dataset: 'd',
    title: 't',
    dates: ['2026-11-21', '2026-11-22', '2026-11-23'],
    axis: { label: 'files', divisor: 1, integer: true, tick: String },
    format: String,
  }

  it('stacks bars: each segment starts where the one below ends', () => {
    const svg = renderChart({
      ...base,
      mark: 'stacked',
      series: [
        { key: 'pass', label: 'pass', color: 'green', values: [2, 3, undefined] },
        { key: 'fail', label: 'fail', color: 'red', values: [2, 0, undefined] },
      ],
    })
    const rects = [
      ...svg.matchAll(/data-series="(\w+)" data-date="2026-11-21"[^>]* y="([\d.]+)"[^>]* height="([\d.]+)"/g),
    ]
    const [pass, fail] = rects.map(([, series, y, height]) => ({ series, y: Number(y), height: Number(height) }))
    expect(pass?.series).toBe('pass')
    expect(fail?.series).toBe('fail')
    expect(fail && pass ? fail.y + fail.height : 0).toBeCloseTo(pass?.y ?? -1, 1)
    expect(fail?.height).toBeCloseTo(pass?.height ?? -1, 1)
    expect(svg.match(/data-gap /g)).toHaveLength(1)
  })

  it('draws no line for a series with a single night and no NaN anywhere', () => {
    const svg = renderChart({
      ...base,
      mark: 'line',
      series: [{ key: 'x', label: 'x', color: 'blue', values: [undefined, 0, undefined] }],
    })
    expect(svg).not.toContain('<polyline')
    expect(svg.match(/data-point/g)).toHaveLength(1)
    expect(svg).not.toMatch(/NaN|Infinity/)
  })
})
