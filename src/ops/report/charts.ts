import { type Chart, type ChartKind, type ChartSeries, renderChart } from './chart.js'
import { compact, duration, int, percent } from './format.js'
import { type DatasetNight, type DatasetWindow, rejectedRate } from './model.js'

/** One palette for every chart and table: blue is input, green is what got through, red is what did not. */
const COLORS = {
  in: '#2563eb',
  ok: '#059669',
  bad: '#dc2626',
  rate: '#d97706',
  total: '#7c3aed',
  max: '#db2777',
} as const

export const CHART_TITLES: Record<ChartKind, string> = {
  rows: 'Rows per night',
  files: 'Files per night',
  'rejected-rate': 'Rejected rate',
  duration: 'Duration',
  quality: 'Quality checks',
}

/** The five trend charts of one dataset, in the order the page shows them. */
export function datasetCharts(ds: DatasetWindow, dates: string[]): Array<{ kind: ChartKind; svg: string }> {
  const series = (
    key: string,
    label: string,
    color: string,
    pick: (n: DatasetNight) => number,
    dashed = false,
  ): ChartSeries => ({ key, label, color, dashed, values: ds.nights.map((n) => (n ? pick(n) : undefined)) })
  const counts = (label: string) => ({ label, divisor: 1, integer: true, tick: compact })
  const base = { dataset: ds.dataset, dates }
  const charts: Chart[] = [
    {
      ...base,
      kind: 'rows',
      title: `${ds.dataset}: rows in, out and rejected per night`,
      mark: 'line',
      series: [
        series('in', 'rows in', COLORS.in, (n) => n.rowsIn),
        // Rows out runs just under rows in on a good night: dashed, so both stay visible.
        series('out', 'rows out', COLORS.ok, (n) => n.rowsOut, true),
        series('rejected', 'rejected', COLORS.bad, (n) => n.rowsRejected),
      ],
      axis: counts('rows'),
      format: (v) => `${int(v)} rows`,
    },
    {
      ...base,
      kind: 'files',
      title: `${ds.dataset}: files in, written and dead-lettered per night`,
      mark: 'bars',
      series: [
        series('in', 'files in', COLORS.in, (n) => n.files),
        series('written', 'written', COLORS.ok, (n) => n.filesWritten),
        series('dead-lettered', 'dead-lettered', COLORS.bad, (n) => n.filesDeadLettered),
      ],
      axis: counts('files'),
      format: (v) => `${int(v)} file(s)`,
    },
    {
      ...base,
      kind: 'rejected-rate',
      title: `${ds.dataset}: share of rows rejected per night`,
      mark: 'line',
      series: [series('rate', 'rejected / rows in', COLORS.rate, rejectedRate)],
      axis: { label: '% of rows in', divisor: 0.01, integer: false, tick: (v) => `${compact(v)}%` },
      format: percent,
    },
    {
      ...base,
      kind: 'duration',
      title: `${ds.dataset}: total and longest file processing time per night`,
      mark: 'line',
      series: [
        series('total', 'total', COLORS.total, (n) => n.durationMsTotal),
        series('max', 'longest file', COLORS.max, (n) => n.durationMsMax),
      ],
      axis: timeAxis(Math.max(0, ...ds.nights.map((n) => n?.durationMsTotal ?? 0))),
      format: duration,
    },
    {
      ...base,
      kind: 'quality',
      title: `${ds.dataset}: files passing and failing quality checks per night`,
      mark: 'stacked',
      series: [
        series('pass', 'pass', COLORS.ok, (n) => n.qualityPass),
        series('fail', 'fail', COLORS.bad, (n) => n.qualityFail),
      ],
      axis: counts('files'),
      format: (v) => `${int(v)} file(s)`,
    },
  ]
  return charts.map((chart) => ({ kind: chart.kind, svg: renderChart(chart) }))
}

/** The axis unit follows the longest night, so ticks read "2, 4, 6 min" rather than "120k ms". */
function timeAxis(maxMs: number): Chart['axis'] {
  const [label, divisor] =
    maxMs >= 3 * 3_600_000 ? ['hours', 3_600_000] : maxMs >= 180_000 ? ['minutes', 60_000] : ['seconds', 1_000]
  return { label, divisor, integer: false, tick: compact }
}
