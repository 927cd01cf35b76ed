import { escapeHtml as esc } from './escape.js'
import { describeRuns, type NightRun, runsOf } from './model.js'

/**
 * Server-side SVG charts: one night per column and no script, so the page works from file://
 * with nothing to load. Every drawn value is an element with `data-point` (tests count them) and a
 * `<title>` (the browser's own tooltip); a night without data draws no point but a labelled band.
 */

export type ChartKind = 'rows' | 'files' | 'rejected-rate' | 'duration' | 'quality'

export interface ChartSeries {
  /** the `data-series` value */
  key: string
  /** legend text */
  label: string
  color: string
  /** a dashed line lets a series that runs on top of another still show the one beneath */
  dashed?: boolean
  /** raw values, one per night of `Chart.dates`; undefined = no data */
  values: Array<number | undefined>
}

export interface Chart {
  kind: ChartKind
  dataset: string
  /** accessible name, read out by screen readers and shown on hover over the chart */
  title: string
  dates: string[]
  /** lines with a dot per night, bars side by side, or bars stacked on each other */
  mark: 'line' | 'bars' | 'stacked'
  series: ChartSeries[]
  axis: {
    label: string
    /** raw value / divisor = the value on the axis (ms → minutes, fraction → percent) */
    divisor: number
    /** counts get whole-number ticks: 0.5 files means nothing */
    integer: boolean
    tick: (value: number) => string
  }
  /** a raw value for a tooltip */
  format: (raw: number) => string
}

const WIDTH = 400
const HEIGHT = 236
const M = { top: 34, right: 10, bottom: 40, left: 50 }
const PLOT_W = WIDTH - M.left - M.right
const PLOT_H = HEIGHT - M.top - M.bottom
const BASE = M.top + PLOT_H
/** half the width of a bold "11-23" date label at the CSS font size */
const LABEL_HALF_WIDTH = 19

export function renderChart(chart: Chart): string {
  const n = chart.dates.length
  const step = PLOT_W / n
  const center = (i: number) => M.left + step * (i + 0.5)
  const ticks = axisTicks(maxValue(chart) / chart.axis.divisor, chart.axis.integer)
  const top = ticks[ticks.length - 1] ?? 1
  const onAxis = (value: number) => BASE - (value / top) * PLOT_H
  const y = (raw: number) => onAxis(raw / chart.axis.divisor)
  const gaps = runsOf(chart.dates.map((_, i) => chart.series.every((s) => s.values[i] === undefined)))
  const missing = gaps.reduce((sum, g) => sum + g.to - g.from + 1, 0)
  const desc = missing
    ? `${n - missing} of ${n} nights have data; no data on ${describeRuns(chart.dates, gaps)}.`
    : `All ${n} nights have data.`

  const parts = [
    `<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" data-chart="${chart.kind}" data-dataset="${esc(chart.dataset)}">`,
    `<title>${esc(chart.title)}</title><desc>${esc(desc)}</desc>`,
    // The report night is the last column: a faint band ties it to the summary table above.
    `<rect class="today" x="${f(M.left + step * (n - 1))}" y="${M.top}" width="${f(step)}" height="${PLOT_H}"/>`,
    ...gaps.map((g) => gap(chart.dates, g, step)),
    ...ticks.map(
      (t) =>
        `<line class="grid" x1="${M.left}" x2="${WIDTH - M.right}" y1="${f(onAxis(t))}" y2="${f(onAxis(t))}"/>` +
        `<text class="tick" x="${M.left - 6}" y="${f(onAxis(t) + 4)}" text-anchor="end">${esc(chart.axis.tick(t))}</text>`,
    ),
    `<line class="axis" x1="${M.left}" x2="${WIDTH - M.right}" y1="${BASE}" y2="${BASE}"/>`,
    ...xLabels(chart.dates, center),
    `<text class="axis-label" transform="translate(13 ${M.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${esc(chart.axis.label)}</text>`,
    `<text class="axis-label" x="${M.left + PLOT_W / 2}" y="${HEIGHT - 4}" text-anchor="middle">night (UTC)</text>`,
    legend(chart),
    ...(chart.mark === 'line' ? lines(chart, center, y, step) : bars(chart, center, y, step)),
    '</svg>',
  ]
  return parts.join('')
}

function maxValue(chart: Chart): number {
  if (chart.mark !== 'stacked') return Math.max(0, ...chart.series.flatMap((s) => s.values.map((v) => v ?? 0)))
  return Math.max(0, ...chart.dates.map((_, i) => chart.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)))
}

/** Axis ticks from 0 in round steps (1, 2, 2.5 or 5 × 10^k), at most six, ending above `max`. */
export function axisTicks(max: number, integer: boolean): number[] {
  const rough = max > 0 ? max / 4 : 1
  const magnitude = 10 ** Math.floor(Math.log10(rough))
  const fraction = rough / magnitude
  let step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * magnitude
  if (integer) step = Math.max(1, Math.ceil(step))
  // One step above the maximum, so the highest bar or point never touches the frame.
  const count = Math.floor(max / step + 1e-9) + 1
  // Rounded so float noise (0.30000000000000004) never reaches a label.
  return Array.from({ length: count + 1 }, (_, i) => Number((i * step).toPrecision(12)))
}

/**
 * One band over a run of nights without data, labelled so it cannot be read as zero. The label
 * lies flat when the band is wide enough and stands upright in a narrow one.
 */
function gap(dates: string[], run: NightRun, step: number): string {
  const x = M.left + step * run.from
  const width = step * (run.to - run.from + 1)
  const from = dates[run.from] ?? ''
  const to = dates[run.to] ?? ''
  const middle = M.top + PLOT_H / 2
  const label =
    width >= 60
      ? `<text class="gap-label" x="${f(x + width / 2)}" y="${middle}" text-anchor="middle">no data</text>`
      : width >= 11
        ? `<text class="gap-label" transform="translate(${f(x + width / 2 + 3.5)} ${middle}) rotate(-90)" text-anchor="middle">no data</text>`
        : ''
  const nights = run.to - run.from + 1
  return (
    `<g data-gap data-from="${from}" data-to="${to}" data-nights="${nights}">` +
    `<title>${from === to ? from : `${from} to ${to}`}: no data</title>` +
    `<rect class="gap" x="${f(x)}" y="${M.top}" width="${f(width)}" height="${PLOT_H}"/>${label}</g>`
  )
}

/** Dates as MM-DD, thinned to about seven labels, always keeping the report night (the last). */
function xLabels(dates: string[], center: (i: number) => number): string[] {
  const every = Math.ceil(dates.length / 7)
  const last = dates.length - 1
  return dates.flatMap((date, i) => {
    if ((last - i) % every !== 0) return []
    // In a narrow column the last label, centred, would run off the chart: end it at the edge instead.
    const atEdge = i === last && center(i) + LABEL_HALF_WIDTH > WIDTH
    const x = atEdge ? WIDTH - 1 : center(i)
    return [
      `<text class="tick${i === last ? ' today-label' : ''}" x="${f(x)}" y="${BASE + 16}" text-anchor="${atEdge ? 'end' : 'middle'}">${date.slice(5)}</text>`,
    ]
  })
}

function legend(chart: Chart): string {
  let x = M.left
  const items = chart.series.map((s) => {
    const swatch =
      chart.mark === 'line'
        ? `<line x1="${x}" x2="${x + 14}" y1="14" y2="14" stroke="${s.color}" stroke-width="2"${dash(s)}/><circle cx="${x + 7}" cy="14" r="3" fill="${s.color}"/>`
        : `<rect x="${x + 2}" y="9" width="10" height="10" rx="2" fill="${s.color}"/>`
    const item = `${swatch}<text class="legend" x="${x + 19}" y="18">${esc(s.label)}</text>`
    // No text measurement without a browser: 7 units per character fits the 12px sans-serif labels.
    x += 19 + s.label.length * 7 + 14
    return item
  })
  return `<g class="legend">${items.join('')}</g>`
}

function lines(chart: Chart, center: (i: number) => number, y: (raw: number) => number, step: number): string[] {
  const r = Math.min(3.2, Math.max(1.5, step / 5))
  const paths = chart.series.flatMap((s) => {
    // A missing night breaks the line: joining across it would draw a value nobody measured.
    const runs: string[][] = [[]]
    s.values.forEach((v, i) => {
      if (v === undefined) runs.push([])
      else runs[runs.length - 1]?.push(`${f(center(i))},${f(y(v))}`)
    })
    return runs
      .filter((run) => run.length > 1)
      .map(
        (run) =>
          `<polyline points="${run.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"${dash(s)}/>`,
      )
  })
  // Dots over every line, so no line hides a point; a dashed series' smaller dot leaves a ring of
  // the dot beneath it visible when two series share a value.
  const dots = chart.series.flatMap((s) =>
    s.values.flatMap((v, i) =>
      v === undefined
        ? []
        : [
            `<circle ${point(chart, s, i, v)} cx="${f(center(i))}" cy="${f(y(v))}" r="${f(s.dashed ? r * 0.6 : r)}" fill="${s.color}">${tip(chart, s, i, v)}</circle>`,
          ],
    ),
  )
  return [...paths, ...dots]
}

function bars(chart: Chart, center: (i: number) => number, y: (raw: number) => number, step: number): string[] {
  const stacked = chart.mark === 'stacked'
  const group = step * (stacked ? 0.56 : 0.76)
  const width = stacked ? group : group / chart.series.length
  // A hairline between neighbours keeps side-by-side bars apart once they get thin.
  const inset = width > 4 ? 0.5 : 0
  const out: string[] = []
  chart.dates.forEach((_, i) => {
    let below = 0
    chart.series.forEach((s, k) => {
      const v = s.values[i]
      if (v === undefined) return
      const x = center(i) - group / 2 + (stacked ? 0 : k * width)
      const yTop = y(below + v)
      const height = y(below) - yTop
      if (stacked) below += v
      out.push(
        `<rect ${point(chart, s, i, v)} x="${f(x + inset)}" y="${f(yTop)}" width="${f(width - 2 * inset)}" height="${f(height)}" fill="${s.color}">${tip(chart, s, i, v)}</rect>`,
      )
    })
  })
  return out
}

function dash(s: ChartSeries): string {
  return s.dashed ? ' stroke-dasharray="5 3"' : ''
}

function point(chart: Chart, s: ChartSeries, i: number, v: number): string {
  return `data-point data-series="${s.key}" data-date="${chart.dates[i]}" data-value="${v}"`
}

function tip(chart: Chart, s: ChartSeries, i: number, v: number): string {
  return `<title>${chart.dates[i]} · ${esc(s.label)}: ${esc(chart.format(v))}</title>`
}

/** Coordinates to two decimals: exact enough on screen and keeps the page small. */
function f(n: number): string {
  return String(Math.round(n * 100) / 100)
}
