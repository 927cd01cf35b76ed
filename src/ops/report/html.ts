import { CHART_TITLES, datasetCharts } from './charts.js'
import { escapeHtml as esc } from './escape.js'
import { bytes, duration, int, percent } from './format.js'
import {
  type DatasetNight,
  type DatasetWindow,
  describeRuns,
  nightFailed,
  type ReportInput,
  type ReportWindow,
  rejectedRate,
  reportWindow,
} from './model.js'
import { page } from './page.js'

/**
 * The daily report as one self-contained HTML page: headline numbers and the summary table for
 * the night, its failures, then per dataset the trend charts over the window and its slowest files.
 * Every string from the data goes through `esc`; numbers are formatted here.
 */
export function renderHtmlReport(input: ReportInput): string {
  const w = reportWindow(input)
  const title = `Ferry daily report — ${w.date}`
  const header =
    `<header class="top"><div><h1>Ferry daily report <span class="date">${w.date}</span></h1>` +
    `<p>${w.datasets.length} dataset(s) · trends over ${w.dates.length} night(s), ${w.dates[0]} to ${w.date} · ` +
    `generated ${esc(w.generatedAt)}</p></div></header>`
  const body = w.datasets.length
    ? [tiles(w), summary(w), failures(w), ...w.datasets.map((ds, i) => datasetSection(ds, i, w))].join('\n')
    : `<div class="card">No data for any dataset between ${w.dates[0]} and ${w.date}.</div>`
  const footer = `<footer>Ferry · rendered ${esc(w.generatedAt)} from the metrics store · hover a chart point for its exact value.</footer>`
  return page(title, `${header}\n<main>\n${body}\n${footer}\n</main>`)
}

function tiles(w: ReportWindow): string {
  const today = w.datasets.flatMap((ds) => (ds.today ? [ds.today] : []))
  const sum = (pick: (n: DatasetNight) => number) => today.reduce((acc, n) => acc + pick(n), 0)
  const rowsIn = sum((n) => n.rowsIn)
  const rejected = sum((n) => n.rowsRejected)
  const dead = sum((n) => n.filesDeadLettered)
  const qualityFail = sum((n) => n.qualityFail)
  const absent = w.datasets.length - today.length
  const tile = (value: string, label: string, tone: Tone = '') =>
    `<div class="tile${tone ? ` ${tone}` : ''}"><div class="value">${value}</div><div class="label">${label}</div></div>`
  return (
    '<section class="tiles" aria-label="Headline numbers">' +
    tile(int(sum((n) => n.files)), `files in · ${int(sum((n) => n.filesWritten))} written`) +
    tile(int(rowsIn), `rows in · ${int(sum((n) => n.rowsOut))} out`) +
    tile(percent(rowsIn > 0 ? rejected / rowsIn : 0), `rows rejected · ${int(rejected)}`, rejected > 0 ? 'warn' : '') +
    tile(int(dead), 'files dead-lettered', dead > 0 ? 'bad' : '') +
    tile(int(qualityFail), 'files failed quality', qualityFail > 0 ? 'bad' : '') +
    tile(int(absent), `dataset(s) with no data for ${w.date}`, absent > 0 ? 'warn' : '') +
    '</section>'
  )
}

const SUMMARY_HEAD = [
  'Dataset',
  'Status',
  'Files in',
  'Written',
  'Dead-lettered',
  'Rows in',
  'Rows out',
  'Rejected',
  'Rejected %',
  'Quality pass / fail',
  'Duration total / max',
  'Bytes in / out',
  'Lag',
]

function summary(w: ReportWindow): string {
  const rows = w.datasets.map((ds) => {
    const name = `<td><a href="#dataset-${w.datasets.indexOf(ds)}">${esc(ds.dataset)}</a>`
    const n = ds.today
    if (!n) {
      return `<tr>${name}</td><td class="text"><span class="pill none">no data</span></td><td class="text muted" colspan="${SUMMARY_HEAD.length - 2}">no data for ${w.date}</td></tr>`
    }
    const failed = nightFailed(n)
    return (
      `<tr>${name}<span class="run">${esc(n.runId)}</span></td>` +
      `<td class="text"><span class="pill ${failed ? 'bad">failures' : 'ok">ok'}</span></td>` +
      td(int(n.files)) +
      td(int(n.filesWritten)) +
      td(int(n.filesDeadLettered), n.filesDeadLettered > 0 ? 'bad' : '') +
      td(int(n.rowsIn)) +
      td(int(n.rowsOut)) +
      td(int(n.rowsRejected), n.rowsRejected > 0 ? 'warn' : '') +
      td(percent(rejectedRate(n)), n.rowsRejected > 0 ? 'warn' : '') +
      td(`${int(n.qualityPass)} / ${int(n.qualityFail)}`, n.qualityFail > 0 ? 'bad' : '') +
      td(`${duration(n.durationMsTotal)} / ${duration(n.durationMsMax)}`) +
      td(`${bytes(n.bytesIn)} / ${bytes(n.bytesOut)}`) +
      (n.lag === undefined ? '<td class="muted">unknown</td>' : td(int(n.lag))) +
      '</tr>'
    )
  })
  return (
    `<h2>Summary for ${w.date}</h2><div class="table-wrap"><table data-table="summary">` +
    `<thead><tr>${SUMMARY_HEAD.map((h, i) => `<th${i < 2 ? ' class="text"' : ''}>${h}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div>`
  )
}

/** Red: a file was lost or failed its checks. Amber: rows were rejected, which a healthy night may do. */
type Tone = '' | 'warn' | 'bad'

function td(text: string, tone: Tone = ''): string {
  return `<td${tone ? ` class="${tone}"` : ''}>${text}</td>`
}

function failures(w: ReportWindow): string {
  const rows = w.datasets.flatMap((ds) =>
    (ds.today?.failures ?? []).map(
      (f) =>
        `<tr><td>${esc(ds.dataset)}</td><td class="key">${esc(f.key)}</td><td class="reason">${esc(f.reason)}</td></tr>`,
    ),
  )
  const heading = `<h2>Failures on ${w.date}</h2>`
  if (!rows.length) return `${heading}<div class="card muted">No failed files.</div>`
  return (
    `${heading}<div class="table-wrap"><table data-table="failures">` +
    '<thead><tr><th>Dataset</th><th class="text">File</th><th class="text">Reason</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table></div>`
  )
}

function datasetSection(ds: DatasetWindow, index: number, w: ReportWindow): string {
  const withData = w.dates.length - ds.missing.length
  const status = ds.today
    ? `<span class="pill ${nightFailed(ds.today) ? 'bad">failures' : 'ok">ok'}</span>`
    : '<span class="pill none">no data</span>'
  const note =
    `${withData} of ${w.dates.length} nights with data` +
    (ds.missing.length ? ` · no data on ${describeRuns(w.dates, ds.gaps)}` : '')
  const charts = datasetCharts(ds, w.dates)
    .map(({ kind, svg }) => `<div class="card"><h3>${CHART_TITLES[kind]}</h3>${svg}</div>`)
    .join('\n')
  return (
    `<section class="dataset" id="dataset-${index}" data-dataset="${esc(ds.dataset)}">` +
    `<h2>${esc(ds.dataset)} ${status}</h2><p>${note}</p>` +
    `<div class="charts">\n${charts}\n${slowest(ds.today)}</div></section>`
  )
}

/** The sixth card of the grid, beside the charts: the night's slowest files. */
function slowest(n: DatasetNight | undefined): string {
  if (!n?.slowest.length) return ''
  const rows = n.slowest.map((s) => `<tr><td>${duration(s.durationMs)}</td><td class="key">${esc(s.key)}</td></tr>`)
  return (
    `<div class="card slowest"><h3>Slowest files on ${n.date}</h3><table data-table="slowest">` +
    '<thead><tr><th>Duration</th><th class="text">File</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table></div>`
  )
}
