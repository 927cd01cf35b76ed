import type { OutputColumn, OutputColumnType } from '../formats/columns.js'
import type { CheckResult } from '../messages.js'
import { compareValues, type FileStats } from './column-stats.js'
import type { DatasetChecks } from './config.js'
import { check, rate, round } from './result.js'

const HOUR_MS = 3_600_000

/** The written file holds exactly the rows the worker says it wrote: catches truncated or replaced outputs. */
export function outputRowsCheck(stats: FileStats, rowsOut: number): CheckResult {
  return check(
    'output_rows',
    'fail',
    stats.rows === rowsOut,
    stats.rows,
    rowsOut,
    `the output holds ${stats.rows} row(s); the worker wrote ${rowsOut}`,
  )
}

/** When the output cannot be read, the column checks cannot run: that is itself a failure. */
export function outputUnreadable(reason: string): CheckResult {
  return check('output_rows', 'fail', false, null, null, `the output could not be read: ${reason}`)
}

/**
 * The column checks configured for the dataset, in config order, from the statistics of the written
 * file. `processedAt` anchors freshness, so re-evaluating the same result gives the same verdict.
 */
export function columnChecks(
  checks: DatasetChecks,
  stats: FileStats,
  columns: readonly OutputColumn[],
  processedAt: string,
): CheckResult[] {
  const types = new Map(columns.map((c) => [c.name, c.type]))
  const out: CheckResult[] = []
  for (const c of checks.nullRate ?? []) {
    const nulls = stats.columns.get(c.column)?.nulls ?? 0
    const observed = rate(nulls, stats.rows)
    out.push(
      check(
        `null_rate:${c.column}`,
        c.severity ?? 'fail',
        observed <= c.max,
        observed,
        c.max,
        `${nulls} of ${stats.rows} value(s) of ${c.column} are null (rate ${observed}, maximum ${c.max})`,
      ),
    )
  }
  checks.duplicates?.forEach((c, i) => {
    const count = stats.duplicates[i] ?? 0
    const max = c.max ?? 0
    const key = c.columns.join('+')
    out.push(
      check(
        `duplicates:${key}`,
        c.severity ?? 'fail',
        count <= max,
        count,
        max,
        `${count} row(s) repeat a ${key} already seen in the file (maximum ${max})`,
      ),
    )
  })
  checks.allowedValues?.forEach((c, i) => {
    const { count, examples } = stats.notAllowed[i] ?? { count: 0, examples: [] }
    out.push(
      check(
        `allowed_values:${c.column}`,
        c.severity ?? 'fail',
        count === 0,
        count,
        0,
        count === 0
          ? `every value of ${c.column} is allowed`
          : `${count} value(s) of ${c.column} are not allowed, e.g. ${examples.map((e) => JSON.stringify(e)).join(', ')}`,
      ),
    )
  })
  for (const c of checks.range ?? []) out.push(rangeCheck(c, stats, types.get(c.column) ?? 'string'))
  if (checks.freshness) out.push(freshnessCheck(checks.freshness, stats, processedAt))
  return out
}

function rangeCheck(
  c: NonNullable<DatasetChecks['range']>[number],
  stats: FileStats,
  type: OutputColumnType,
): CheckResult {
  const { min, max } = stats.columns.get(c.column) ?? {}
  const allowed = `${c.min ?? '-inf'}..${c.max ?? 'inf'}`
  const below = min !== undefined && c.min !== undefined && compareValues(type, min, c.min) < 0
  const above = max !== undefined && c.max !== undefined && compareValues(type, max, c.max) > 0
  const observed = min === undefined || max === undefined ? null : `${min}..${max}`
  return check(
    `range:${c.column}`,
    c.severity ?? 'fail',
    !below && !above,
    observed,
    allowed,
    observed === null
      ? `${c.column} has no values to range-check`
      : `${c.column} spans ${observed} (allowed ${allowed})`,
  )
}

/** How much later than the run a freshness column's newest value may be: clock skew upstream. */
const DEFAULT_MAX_FUTURE_MINUTES = 15

function freshnessCheck(
  c: NonNullable<DatasetChecks['freshness']>,
  stats: FileStats,
  processedAt: string,
): CheckResult {
  const newest = stats.columns.get(c.column)?.max
  const name = `freshness:${c.column}`
  const severity = c.severity ?? 'fail'
  if (newest === undefined) {
    return check(name, severity, false, null, c.maxAgeHours, `${c.column} has no values: the file's age is unknown`)
  }
  const ageHours = round((Date.parse(processedAt) - Date.parse(String(newest))) / HOUR_MS)
  // a little newer than the run is clock skew upstream; far newer is a wrong clock or a wrong field
  const maxFutureMinutes = c.maxFutureMinutes ?? DEFAULT_MAX_FUTURE_MINUTES
  if (ageHours * 60 < -maxFutureMinutes) {
    return check(
      name,
      severity,
      false,
      ageHours,
      c.maxAgeHours,
      `the newest ${c.column} (${newest}) is ${-ageHours} h later than the run: in the future (at most ${maxFutureMinutes} min allowed)`,
    )
  }
  return check(
    name,
    severity,
    ageHours <= c.maxAgeHours,
    ageHours,
    c.maxAgeHours,
    `the newest ${c.column} (${newest}) is ${ageHours} h older than the run (maximum ${c.maxAgeHours} h)`,
  )
}
