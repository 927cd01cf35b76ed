import { describe, expect, it } from 'vitest'
import { escapeHtml } from '../../../../src/ops/report/escape.js'
import { renderHtmlReport } from '../../../../src/ops/report/html.js'
import {
  DATASETS,
  HOSTILE_KEY,
  HOSTILE_REASON,
  MISSING_NIGHT,
  nightsWithData,
  REPORT_DATE,
  reportFixture,
} from '../../../fixtures/report/nights.js'

/** Series per chart: every series draws one point per night with data. */
const CHARTS = {
  rows: ['in', 'out', 'rejected'],
  files: ['in', 'written', 'dead-lettered'],
  'rejected-rate': ['rate'],
  duration: ['total', 'max'],
  quality: ['pass', 'fail'],
} as const

interface Point {
  tag: string
  series: string
  date: string
  value: number
}

function svgsOf(html: string, kind: string, dataset: string): string[] {
  const attr = escapeHtml(dataset)
  return [...html.matchAll(/<svg [^>]*>[\s\S]*?<\/svg>/g)]
    .map((m) => m[0])
    .filter((svg) => svg.includes(`data-chart="${kind}" data-dataset="${attr}"`))
}

function chartOf(html: string, kind: string, dataset: string): string {
  const found = svgsOf(html, kind, dataset)
  expect(found, `${kind} chart of ${dataset}`).toHaveLength(1)
  return found[0] ?? ''
}

function pointsOf(svg: string): Point[] {
  return [...svg.matchAll(/<(\w+) data-point data-series="([^"]+)" data-date="([^"]+)" data-value="([^"]+)"/g)].map(
    ([, tag = '', series = '', date = '', value = '']) => ({ tag, series, date, value: Number(value) }),
  )
}

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(reportFixture())

  it('is one HTML page titled with the report date', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).toContain('<title>Ferry daily report — 2026-11-23</title>')
    expect(html).toContain('<h1>Ferry daily report <span class="date">2026-11-23</span></h1>')
    expect(html.match(/<html/g)).toHaveLength(1)
  })

  it('draws every chart per dataset, one point per series and night with data', () => {
    for (const dataset of DATASETS) {
      const nights = nightsWithData(dataset)
      for (const [kind, series] of Object.entries(CHARTS)) {
        const points = pointsOf(chartOf(html, kind, dataset))
        expect(points, `${dataset} ${kind}`).toHaveLength(series.length * nights.length)
        for (const s of series) {
          expect(
            points.filter((p) => p.series === s).map((p) => p.date),
            `${dataset} ${kind} ${s}`,
          ).toEqual(nights)
        }
      }
    }
  })

  it('puts the data in the points: dots for lines, bars for counts', () => {
    const rows = pointsOf(chartOf(html, 'rows', 'orders'))
    expect(rows.every((p) => p.tag === 'circle')).toBe(true)
    expect(rows.find((p) => p.series === 'in' && p.date === REPORT_DATE)?.value).toBe(15_350)
    expect(rows.find((p) => p.series === 'rejected' && p.date === REPORT_DATE)?.value).toBe(1_870)
    const files = pointsOf(chartOf(html, 'files', 'orders'))
    expect(files.every((p) => p.tag === 'rect')).toBe(true)
    expect(files.find((p) => p.series === 'dead-lettered' && p.date === REPORT_DATE)?.value).toBe(3)
    const rate = pointsOf(chartOf(html, 'rejected-rate', 'orders')).find((p) => p.date === REPORT_DATE)
    expect(rate?.value).toBeCloseTo(1_870 / 15_350, 12)
    const quality = pointsOf(chartOf(html, 'quality', 'orders')).filter((p) => p.date === REPORT_DATE)
    expect(quality.map((p) => [p.series, p.value])).toEqual([
      ['pass', 18],
      ['fail', 3],
    ])
  })

  it('marks the missing night as a labelled gap and breaks the lines there', () => {
    for (const kind of Object.keys(CHARTS)) {
      const payments = chartOf(html, kind, 'payments')
      expect(
        [...payments.matchAll(/data-gap data-from="([^"]+)" data-to="([^"]+)" data-nights="(\d+)"/g)].map((m) =>
          m.slice(1),
        ),
      ).toEqual([[MISSING_NIGHT, MISSING_NIGHT, '1']])
      expect(payments).toContain('>no data</text>')
      expect(payments).toContain(`13 of 14 nights have data; no data on ${MISSING_NIGHT}.`)
      expect(chartOf(html, kind, 'orders')).not.toContain('data-gap')
    }
    // One line per run of nights with data: the gap splits each of the three series in two.
    expect(chartOf(html, 'rows', 'payments').match(/<polyline /g)).toHaveLength(6)
    expect(chartOf(html, 'rows', 'orders').match(/<polyline /g)).toHaveLength(3)
    expect(html).toContain(`13 of 14 nights with data · no data on ${MISSING_NIGHT}`)
  })

  it('gives every chart an accessible title, axis labels and a legend', () => {
    const svgs = [...html.matchAll(/<svg [^>]*>[\s\S]*?<\/svg>/g)].map((m) => m[0])
    expect(svgs).toHaveLength(DATASETS.length * Object.keys(CHARTS).length)
    for (const svg of svgs) {
      expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*><title>[^<]+<\/title><desc>/)
      expect(svg).toContain('>night (UTC)</text>')
      expect(svg).toContain('<g class="legend">')
      expect(svg).toContain('class="tick today-label"')
    }
    expect(chartOf(html, 'duration', 'orders')).toContain('>minutes</text>')
    expect(chartOf(html, 'duration', 'payments')).toContain('>seconds</text>')
    expect(chartOf(html, 'rejected-rate', 'orders')).toContain('>% of rows in</text>')
  })

  it('has the summary table for the day and the failures table', () => {
    const summary = html.slice(
      html.indexOf('data-table="summary"'),
      html.indexOf('</table>', html.indexOf('data-table="summary"')),
    )
    expect(summary).toContain('<td class="bad">3</td>')
    expect(summary).toContain('<td>15,350</td><td>13,480</td><td class="warn">1,870</td><td class="warn">12.2%</td>')
    expect(summary).toContain('<td class="bad">18 / 3</td><td>3m 27s / 39.5 s</td>')
    expect(summary).toContain('<td class="muted">unknown</td>')
    const failures = html.slice(html.indexOf('data-table="failures"'))
    expect(failures.match(/<tr><td>orders<\/td>/g)).toHaveLength(3)
    expect(failures).toContain('<td class="reason">truncated gzip stream</td>')
  })

  it('escapes keys, reasons and dataset names everywhere', () => {
    expect(html).not.toContain(HOSTILE_KEY)
    expect(html).not.toContain(HOSTILE_REASON)
    expect(html).toContain(
      'orders/2026-11-23/&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;q&#39;.csv</td><td class="reason">' +
        'schema: column &quot;total&quot; must be &lt; 1e9 &amp; &gt;= 0 &lt;script&gt;alert(2)&lt;/script&gt;</td>',
    )
    expect(html).not.toMatch(/<script|<img|<[a-z][^>]*\sonerror\s*=/i)

    const input = reportFixture()
    const hostile = `a"b<c>&'d`
    for (const n of input.nights) if (n.dataset === 'payments') n.dataset = hostile
    const out = renderHtmlReport(input)
    expect(out).not.toContain(hostile)
    expect(out).toContain('data-dataset="a&quot;b&lt;c&gt;&amp;&#39;d"')
    for (const kind of Object.keys(CHARTS)) expect(svgsOf(out, kind, hostile)).toHaveLength(1)
  })

  it('is self-contained: no script, no external URL, no web font', () => {
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?\/\//i)
    expect([...html.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1])).toEqual(['#dataset-0', '#dataset-1'])
    expect(html).not.toMatch(/url\(|@import|@font-face|<link|<iframe|<object|<embed/i)
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`)
  })

  it('says so when a dataset has no data for the report night', () => {
    const input = reportFixture()
    input.nights = input.nights.filter((n) => !(n.dataset === 'payments' && n.date === REPORT_DATE))
    const out = renderHtmlReport(input)
    expect(out).toContain(
      '<span class="pill none">no data</span></td><td class="text muted" colspan="11">no data for 2026-11-23</td>',
    )
    expect(pointsOf(chartOf(out, 'rows', 'payments'))).toHaveLength(3 * (nightsWithData('payments').length - 1))
    expect(out).toContain('dataset(s) with no data for 2026-11-23')
  })

  it('spreads a short history over a longer window, one gap band per run of missing nights', () => {
    const out = renderHtmlReport({ ...reportFixture(), days: 60 })
    const payments = chartOf(out, 'files', 'payments')
    expect(pointsOf(payments)).toHaveLength(3 * nightsWithData('payments').length)
    expect(
      [...payments.matchAll(/data-gap data-from="([^"]+)" data-to="([^"]+)" data-nights="(\d+)"/g)].map((m) =>
        m.slice(1),
      ),
    ).toEqual([
      ['2026-09-25', '2026-11-09', '46'],
      [MISSING_NIGHT, MISSING_NIGHT, '1'],
    ])
    expect(out).toContain(`no data on 2026-09-25 to 2026-11-09 (46 nights), ${MISSING_NIGHT}`)
    // The report night's label ends at the chart's edge instead of being cut off there.
    expect(payments).toContain('x="399" y="212" text-anchor="end">11-23</text>')
    expect(payments).not.toMatch(/NaN|Infinity/)
  })

  it('renders an empty window as a message, not an empty page', () => {
    const out = renderHtmlReport({ ...reportFixture(), nights: [] })
    expect(out).toContain('No data for any dataset between 2026-11-10 and 2026-11-23.')
    expect(out).not.toContain('<svg')
  })
})
