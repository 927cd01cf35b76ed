import { duration, int, percent } from './format.js'
import {
  type DatasetNight,
  type DatasetWindow,
  describeRuns,
  nightFailed,
  type ReportInput,
  rejectedRate,
  reportWindow,
} from './model.js'

const SPARKS = '▁▂▃▄▅▆▇█'
/** What a sparkline shows for a night with no data: a dot, so the gap cannot pass for a low value. */
const NO_DATA = '·'

/**
 * The daily report as plain text, for a terminal or an e-mail: the night's summary table, each
 * dataset's failures and slowest files, then one trend line per metric over the window.
 */
export function renderTextReport(input: ReportInput): string {
  const window = reportWindow(input)
  const first = window.dates[0]
  const lines = [
    `Ferry daily report for ${window.date}`,
    `trends over ${window.dates.length} night(s), ${first} to ${window.date}; generated ${plain(window.generatedAt)}`,
    '',
  ]
  if (!window.datasets.length) {
    lines.push(`no data for any dataset between ${first} and ${window.date}`)
    return lines.join('\n')
  }
  lines.push(...summaryTable(window.datasets, window.date), '')
  for (const ds of window.datasets) lines.push(...details(ds, window.date), '')
  lines.push(`trends, oldest night first (${NO_DATA} = no data)`)
  const width = Math.max(...window.datasets.map((ds) => plain(ds.dataset).length))
  for (const ds of window.datasets) lines.push(...trend(ds, window.dates, width))
  return lines.join('\n')
}

const HEADER = [
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
]

function summaryTable(datasets: DatasetWindow[], date: string): string[] {
  const rows: string[][] = []
  const absent: Array<[string, string]> = []
  for (const ds of datasets) {
    const n = ds.today
    if (!n) {
      const last = ds.nights.findLast((night) => night !== undefined)
      absent.push([plain(ds.dataset), `no data for ${date}${last ? ` (last night with data: ${last.date})` : ''}`])
      continue
    }
    rows.push([
      plain(ds.dataset),
      nightFailed(n) ? 'FAIL' : 'ok',
      int(n.files),
      int(n.filesWritten),
      int(n.filesDeadLettered),
      int(n.rowsIn),
      int(n.rowsOut),
      int(n.rowsRejected),
      percent(rejectedRate(n)),
      int(n.qualityPass),
      int(n.qualityFail),
      duration(n.durationMsTotal),
      n.lag === undefined ? 'unknown' : int(n.lag),
    ])
  }
  const table = [HEADER, ...rows]
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => r[i]?.length ?? 0)))
  widths[0] = Math.max(widths[0] ?? 0, ...absent.map(([name]) => name.length))
  // Names and the status word read left-aligned; numbers right-aligned so their digits line up.
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [...table.map(line), ...absent.map(([name, note]) => `${name.padEnd(widths[0] ?? 0)}  ${note}`)]
}

function details(ds: DatasetWindow, date: string): string[] {
  const n = ds.today
  if (!n) return [`${plain(ds.dataset)}: no data for ${date}`]
  const lines = [`${plain(ds.dataset)}, run ${plain(n.runId)}:`]
  if (n.failures.length) {
    lines.push(`  failures (${n.failures.length}):`)
    for (const f of n.failures) lines.push(`    ${plain(f.key)}: ${plain(f.reason)}`)
  } else {
    lines.push('  no failures')
  }
  if (n.slowest.length) {
    const times = n.slowest.map((s) => duration(s.durationMs))
    const width = Math.max(...times.map((t) => t.length))
    lines.push('  slowest files:')
    n.slowest.forEach((s, i) => {
      lines.push(`    ${(times[i] ?? '').padStart(width)}  ${plain(s.key)}`)
    })
  }
  return lines
}

function trend(ds: DatasetWindow, dates: string[], width: number): string[] {
  const metric = (label: string, pick: (n: DatasetNight) => number, fmt: (n: number) => string) => {
    const known = ds.nights.filter((n) => n !== undefined)
    const min = known.reduce((a, b) => (pick(b) < pick(a) ? b : a))
    const max = known.reduce((a, b) => (pick(b) > pick(a) ? b : a))
    return (
      `${label.padEnd(12)}${sparkline(ds.nights.map((n) => n && pick(n)))}  ` +
      `min ${fmt(pick(min))} (${min.date}), max ${fmt(pick(max))} (${max.date}), ` +
      `last night ${ds.today ? fmt(pick(ds.today)) : 'no data'}`
    )
  }
  const indent = ''.padEnd(width)
  const missing = ds.missing.length ? `${ds.missing.length} night(s): ${describeRuns(dates, ds.gaps)}` : 'none'
  return [
    `${plain(ds.dataset).padEnd(width)}  ${metric('rows in', (n) => n.rowsIn, int)}`,
    `${indent}  ${metric('rejected %', rejectedRate, percent)}`,
    `${indent}  ${'no data'.padEnd(12)}${missing}`,
  ]
}

/** One block per night, scaled between the window's lowest and highest value. */
function sparkline(values: Array<number | undefined>): string {
  const known = values.filter((v) => v !== undefined)
  const lo = Math.min(...known)
  const hi = Math.max(...known)
  return values
    .map((v) => {
      if (v === undefined) return NO_DATA
      // A flat series gets a mid-height bar: the bottom one would read as "dropped to the minimum".
      if (hi === lo) return SPARKS[3]
      return SPARKS[Math.round(((v - lo) / (hi - lo)) * (SPARKS.length - 1))]
    })
    .join('')
}

/** Object keys and reasons come from outside: control characters would break the layout (or the terminal). */
function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
