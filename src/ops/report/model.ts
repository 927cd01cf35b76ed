import { FerryError } from '../../errors.js'

/** What the metrics store keeps for one dataset and one night: the renderers' only input. */
export interface DatasetNight {
  dataset: string
  /** the night, YYYY-MM-DD (UTC) */
  date: string
  runId: string
  files: number
  filesWritten: number
  filesDeadLettered: number
  rowsIn: number
  rowsOut: number
  rowsRejected: number
  bytesIn: number
  bytesOut: number
  durationMsTotal: number
  durationMsMax: number
  qualityPass: number
  qualityFail: number
  /** at most ~20 kept by the store */
  failures: Array<{ key: string; reason: string }>
  /** the top 5 */
  slowest: Array<{ key: string; durationMs: number }>
  /** consumer lag at the end of the night, if known */
  lag?: number
  updatedAt: string
}

export interface ReportInput {
  /** the night the report is about, YYYY-MM-DD */
  date: string
  /** how many nights, ending with `date`, the trends cover */
  days: number
  /** all datasets, the last `days` nights up to `date` (others are ignored) */
  nights: DatasetNight[]
  generatedAt: string
}

/** One dataset over the window: `nights[i]` is the night of `dates[i]`, undefined when the store has none. */
export interface DatasetWindow {
  dataset: string
  nights: Array<DatasetNight | undefined>
  /** the report night itself */
  today: DatasetNight | undefined
  /** nights of the window with no data, oldest first */
  missing: string[]
  /** the same nights as runs of consecutive nights */
  gaps: NightRun[]
}

export interface ReportWindow {
  date: string
  /** every night of the window, oldest first, ending with `date` */
  dates: string[]
  /** sorted by name */
  datasets: DatasetWindow[]
  generatedAt: string
}

/** A year and a day: long enough for any trend a person reads, short enough to keep the page light. */
const MAX_DAYS = 366

const COUNTS = [
  'files',
  'filesWritten',
  'filesDeadLettered',
  'rowsIn',
  'rowsOut',
  'rowsRejected',
  'bytesIn',
  'bytesOut',
  'durationMsTotal',
  'durationMsMax',
  'qualityPass',
  'qualityFail',
] as const satisfies ReadonlyArray<keyof DatasetNight>

/**
 * Lays the input out on the window's calendar. Both renderers share it so they agree on which
 * nights are missing. A bad date, window or metric (negative, NaN) is rejected here: a chart would
 * silently draw it wrong.
 */
export function reportWindow(input: ReportInput): ReportWindow {
  const problems: string[] = []
  const end = parseDate(input.date)
  if (end === undefined) problems.push(`date must be a calendar date YYYY-MM-DD, got ${JSON.stringify(input.date)}`)
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > MAX_DAYS) {
    problems.push(`days must be an integer from 1 to ${MAX_DAYS}, got ${input.days}`)
  }
  if (end === undefined || problems.length) throw invalid(problems)

  const dates = Array.from({ length: input.days }, (_, i) => formatDate(end - (input.days - 1 - i) * DAY_MS))
  const column = new Map(dates.map((d, i) => [d, i]))
  const byDataset = new Map<string, Array<DatasetNight | undefined>>()
  for (const night of input.nights) {
    const i = column.get(night.date)
    if (i === undefined) continue
    for (const field of COUNTS) {
      const value = night[field]
      if (!Number.isFinite(value) || value < 0) problems.push(`${night.dataset} ${night.date}: ${field} is ${value}`)
    }
    if (night.lag !== undefined && (!Number.isFinite(night.lag) || night.lag < 0)) {
      problems.push(`${night.dataset} ${night.date}: lag is ${night.lag}`)
    }
    let row = byDataset.get(night.dataset)
    if (!row) {
      row = new Array<DatasetNight | undefined>(dates.length).fill(undefined)
      byDataset.set(night.dataset, row)
    }
    // A night rewritten by a later run (a rerun after a crash) is stored again: the latest one wins.
    const seen = row[i]
    if (!seen || seen.updatedAt <= night.updatedAt) row[i] = night
  }
  if (problems.length) throw invalid(problems)

  const datasets = [...byDataset.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([dataset, nights]) => ({
      dataset,
      nights,
      today: nights[nights.length - 1],
      missing: dates.filter((_, i) => nights[i] === undefined),
      gaps: runsOf(nights.map((n) => n === undefined)),
    }))
  return { date: input.date, dates, datasets, generatedAt: input.generatedAt }
}

/** Share of the rows read that were rejected; a night that read nothing rejected nothing. */
export function rejectedRate(night: DatasetNight): number {
  return night.rowsIn > 0 ? night.rowsRejected / night.rowsIn : 0
}

/** A night needs attention when a file was dead-lettered or failed its quality checks. */
export function nightFailed(night: DatasetNight): boolean {
  return night.filesDeadLettered > 0 || night.qualityFail > 0
}

/** A run of consecutive nights, as indexes into the window's dates, both ends included. */
export interface NightRun {
  from: number
  to: number
}

/** The runs of consecutive `true` flags: where a chart draws one gap band instead of many. */
export function runsOf(flags: boolean[]): NightRun[] {
  const runs: NightRun[] = []
  flags.forEach((flag, i) => {
    if (!flag) return
    const last = runs[runs.length - 1]
    if (last && last.to === i - 1) last.to = i
    else runs.push({ from: i, to: i })
  })
  return runs
}

/** "2026-09-25 to 2026-11-09 (46 nights), 2026-11-17": a long outage stays one phrase, not 46 dates. */
export function describeRuns(dates: string[], runs: NightRun[]): string {
  return runs
    .map(({ from, to }) => (from === to ? dates[from] : `${dates[from]} to ${dates[to]} (${to - from + 1} nights)`))
    .join(', ')
}

const DAY_MS = 86_400_000

function parseDate(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined
  const ms = Date.parse(`${date}T00:00:00Z`)
  // Date.parse rolls 2026-02-30 over to March: a round trip catches it.
  return Number.isNaN(ms) || formatDate(ms) !== date ? undefined : ms
}

function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

function invalid(problems: string[]): FerryError {
  return new FerryError('FERRY_VALIDATION', `invalid report input:\n  - ${problems.join('\n  - ')}`, {
    context: { problems },
  })
}
