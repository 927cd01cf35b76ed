import { describe, expect, it } from 'vitest'
import { FerryError } from '../../../../src/errors.js'
import type { ReportInput } from '../../../../src/ops/report/model.js'
import { renderTextReport } from '../../../../src/ops/report/text.js'
import {
  HOSTILE_KEY,
  HOSTILE_REASON,
  MISSING_NIGHT,
  REPORT_DATE,
  reportFixture,
} from '../../../fixtures/report/nights.js'

function lineOf(text: string, start: string): string {
  const line = text.split('\n').find((l) => l.startsWith(start))
  expect(line, `a line starting with ${JSON.stringify(start)}`).toBeDefined()
  return line ?? ''
}

/** The sparkline of a trend line: the run of block and gap characters after the label. */
function sparkOf(line: string): string {
  return line.match(/[▁▂▃▄▅▆▇█·]+/)?.[0] ?? ''
}

describe('renderTextReport', () => {
  const text = renderTextReport(reportFixture())

  it('names the night and the window', () => {
    expect(text.split('\n')[0]).toBe('Ferry daily report for 2026-11-23')
    expect(text).toContain('trends over 14 night(s), 2026-11-10 to 2026-11-23')
  })

  it('has a summary row per dataset: files in/out, rows in/out/rejected with rate, quality, lag', () => {
    expect(lineOf(text, 'dataset ').split(/\s+/)).toEqual([
      'dataset',
      'status',
      'files',
      'written',
      'dead',
      'rows_in',
      'rows_out',
      'rejected',
      'rejected%',
      'q_pass',
      'q_fail',
      'duration',
      'lag',
    ])
    // orders fails on the report night: 21 files, 3 dead-lettered, 1,870 of 15,350 rows rejected.
    expect(lineOf(text, 'orders ').split(/\s{2,}/)).toEqual([
      'orders',
      'FAIL',
      '21',
      '18',
      '3',
      '15,350',
      '13,480',
      '1,870',
      '12.2%',
      '18',
      '3',
      '3m 27s',
      '1,250',
    ])
    expect(lineOf(text, 'payments ').split(/\s{2,}/)).toEqual([
      'payments',
      'ok',
      '6',
      '6',
      '0',
      '4,500',
      '4,493',
      '7',
      '0.16%',
      '6',
      '0',
      '33.5 s',
      'unknown',
    ])
  })

  it('lists failures with their reasons and the slowest files, keys verbatim', () => {
    const orders = text.slice(text.indexOf('orders, run run-20261123T020000Z-0a1b2c:'))
    expect(orders).toContain(`  failures (3):\n    ${HOSTILE_KEY}: ${HOSTILE_REASON}\n`)
    expect(orders).toContain('    orders/2026-11-23/orders-0007.csv: truncated gzip stream')
    expect(orders).toContain(
      `  slowest files:\n    38.0 s  ${HOSTILE_KEY}\n     7.4 s  orders/2026-11-23/orders-0012.csv`,
    )
    expect(text).toContain('payments, run run-20261123T020000Z-0a1b2c:\n  no failures\n')
  })

  it('draws a trend per dataset with the missing night as an explicit gap', () => {
    const orders = lineOf(text, 'orders    rows in')
    expect(sparkOf(orders)).toHaveLength(14)
    expect(sparkOf(orders)).not.toContain('·')
    expect(orders).toContain('min 10,000 (2026-11-10), max 15,450 (2026-11-21), last night 15,350')

    const payments = lineOf(text, 'payments  rows in')
    const spark = sparkOf(payments)
    expect(spark).toHaveLength(14)
    // 2026-11-17 is the 8th night of the window.
    expect([...spark].map((c, i) => (c === '·' ? i : -1)).filter((i) => i >= 0)).toEqual([7])
    expect(text).toContain(`no data     1 night(s): ${MISSING_NIGHT}`)
    expect(text).toContain('(· = no data)')
  })

  it('puts the failing night at the top of the rejected-rate sparkline', () => {
    const rate = text.split('\n')[text.split('\n').indexOf(lineOf(text, 'orders    rows in')) + 1] ?? ''
    expect(rate.trim().startsWith('rejected %')).toBe(true)
    expect(sparkOf(rate).at(-1)).toBe('█')
    expect(rate).toContain('max 12.2% (2026-11-23)')
  })

  it('says so when a dataset has no data for the report night', () => {
    const input = reportFixture()
    input.nights = input.nights.filter((n) => !(n.dataset === 'payments' && n.date === REPORT_DATE))
    const out = renderTextReport(input)
    expect(lineOf(out, 'payments ')).toBe('payments  no data for 2026-11-23 (last night with data: 2026-11-22)')
    expect(lineOf(out, 'dataset ')).toMatch(/^dataset {3}status {2}files {2}written/)
    expect(out).toContain('payments: no data for 2026-11-23')
    expect(sparkOf(lineOf(out, 'payments  rows in')).at(-1)).toBe('·')
    expect(lineOf(out, 'payments  rows in')).toContain('last night no data')
    expect(out).toContain(`no data     2 night(s): ${MISSING_NIGHT}, ${REPORT_DATE}`)
  })

  it('lists a long outage as one range', () => {
    const out = renderTextReport({ ...reportFixture(), days: 30 })
    expect(out).toContain(`no data     17 night(s): 2026-10-25 to 2026-11-09 (16 nights), ${MISSING_NIGHT}`)
    expect(sparkOf(lineOf(out, 'orders    rows in'))).toMatch(/^·{16}[▁▂▃▄▅▆▇█]{14}$/)
  })

  it('says so when no dataset has data in the window', () => {
    const out = renderTextReport({ ...reportFixture(), nights: [] })
    expect(out).toContain('no data for any dataset between 2026-11-10 and 2026-11-23')
  })

  it('ignores nights outside the window and keeps the latest copy of a rewritten night', () => {
    const input = reportFixture()
    const last = input.nights.find((n) => n.dataset === 'orders' && n.date === REPORT_DATE)
    if (!last) throw new Error('fixture has no orders night on the report date')
    input.nights.push(
      { ...last, date: '2026-11-09', dataset: 'stale' },
      { ...last, date: '2026-11-24', dataset: 'future' },
      { ...last, rowsIn: 1, updatedAt: '2026-11-23T01:00:00.000Z' },
      { ...last, rowsIn: 99_999, runId: 'run-rerun', updatedAt: '2026-11-23T05:00:00.000Z' },
    )
    const out = renderTextReport(input)
    expect(out).not.toContain('stale')
    expect(out).not.toContain('future')
    expect(lineOf(out, 'orders ')).toContain('99,999')
    expect(out).toContain('orders, run run-rerun:')
  })

  it('escapes control characters so a key cannot break the layout', () => {
    const input = reportFixture()
    const last = input.nights.find((n) => n.dataset === 'orders' && n.date === REPORT_DATE)
    last?.failures.push({ key: 'evil\nkey\u001b[31m', reason: 'line\rbreak' })
    const out = renderTextReport(input)
    expect(out).toContain('    evil\\x0akey\\x1b[31m: line\\x0dbreak')
    expect(out).not.toContain('\u001b')
  })

  it('rejects a bad date, window or metric with a validation error naming each problem', () => {
    const bad = (patch: Partial<ReportInput>) => () => renderTextReport({ ...reportFixture(), ...patch })
    expect(bad({ date: '2026-02-30' })).toThrow(/date must be a calendar date YYYY-MM-DD, got "2026-02-30"/)
    expect(bad({ days: 0 })).toThrow(/days must be an integer from 1 to 366, got 0/)
    const input = reportFixture()
    const first = input.nights[0]
    if (first) first.rowsIn = Number.NaN
    let err: unknown
    try {
      renderTextReport(input)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(FerryError)
    expect((err as FerryError).code).toBe('FERRY_VALIDATION')
    expect((err as FerryError).message).toContain('orders 2026-11-10: rowsIn is NaN')
  })
})
