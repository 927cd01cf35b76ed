import type { OutputColumn, OutputColumnType } from '../formats/columns.js'
import { openParquet, type RangeReader } from '../formats/parquet.js'
import type { DatasetChecks } from './config.js'

/** What the column checks need to know about one column of a written file. */
export interface ColumnStats {
  nulls: number
  /** smallest and largest non-null value, in row-model form (numbers, or ISO text for dates and timestamps) */
  min?: number | string
  max?: number | string
}

export interface FileStats {
  /** rows in the output file, to compare with what the worker says it wrote */
  rows: number
  /** the columns the checks name */
  columns: Map<string, ColumnStats>
  /** per `allowedValues` check, in config order: values outside the list, and a few distinct examples */
  notAllowed: Array<{ count: number; examples: string[] }>
  /** per `duplicates` check, in config order: rows whose key was already seen */
  duplicates: number[]
}

/** Consecutive rows as one array of values per column (a Parquet column batch). */
export interface ColumnarBatch {
  length: number
  columns: Record<string, ArrayLike<unknown>>
}

/** At most this many unexpected values are quoted in a message: enough to recognise the problem. */
const MAX_EXAMPLES = 5
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** Whether any configured check needs statistics of the written output. */
export function needsOutputStats(checks: DatasetChecks | undefined): boolean {
  return Boolean(
    checks?.nullRate?.length ||
      checks?.duplicates?.length ||
      checks?.allowedValues?.length ||
      checks?.range?.length ||
      checks?.freshness,
  )
}

/**
 * Accumulates column statistics one batch at a time. Memory is one entry per column plus, per
 * duplicates check, a Set of the file's key strings: bounded by the file, never by the night.
 */
export class StatsCollector {
  private readonly columns = new Map<string, { type: OutputColumnType; stats: ColumnStats }>()
  private readonly allowed: Array<{ column: string; values: Set<unknown>; count: number; examples: Set<string> }>
  private readonly keys: Array<{ columns: string[]; seen: Set<string>; count: number }>
  private rows = 0

  constructor(checks: DatasetChecks, outputColumns: readonly OutputColumn[]) {
    const types = new Map(outputColumns.map((c) => [c.name, c.type]))
    const named = [
      ...(checks.nullRate ?? []).map((c) => c.column),
      ...(checks.range ?? []).map((c) => c.column),
      ...(checks.freshness ? [checks.freshness.column] : []),
    ]
    for (const name of named) this.columns.set(name, { type: types.get(name) ?? 'string', stats: { nulls: 0 } })
    this.allowed = (checks.allowedValues ?? []).map((c) => ({
      column: c.column,
      values: new Set<unknown>(c.values),
      count: 0,
      examples: new Set<string>(),
    }))
    this.keys = (checks.duplicates ?? []).map((c) => ({ columns: c.columns, seen: new Set<string>(), count: 0 }))
  }

  add(batch: ColumnarBatch): void {
    const column = (name: string) => batch.columns[name] ?? { length: 0 }
    for (const [name, { type, stats }] of this.columns) {
      const values = column(name)
      for (let r = 0; r < batch.length; r++) offer(type, stats, cell(values[r]))
    }
    for (const check of this.allowed) {
      const values = column(check.column)
      for (let r = 0; r < batch.length; r++) {
        const value = cell(values[r])
        if (value === null || check.values.has(value)) continue
        check.count++
        if (check.examples.size < MAX_EXAMPLES) check.examples.add(String(value))
      }
    }
    for (const check of this.keys) {
      const parts = check.columns.map(column)
      for (let r = 0; r < batch.length; r++) {
        const key = JSON.stringify(parts.map((values) => cell(values[r])))
        if (check.seen.has(key)) check.count++
        else check.seen.add(key)
      }
    }
    this.rows += batch.length
  }

  stats(): FileStats {
    return {
      rows: this.rows,
      columns: new Map([...this.columns].map(([name, { stats }]) => [name, { ...stats }])),
      notAllowed: this.allowed.map((c) => ({ count: c.count, examples: [...c.examples] })),
      duplicates: this.keys.map((c) => c.count),
    }
  }
}

/**
 * Statistics of a written Parquet file, read through ranged reads one row group at a time, so
 * memory holds one row group whatever the file's size. Throws like `openParquet`.
 */
export async function outputStats(
  reader: RangeReader,
  checks: DatasetChecks,
  outputColumns: readonly OutputColumn[],
): Promise<FileStats> {
  const collector = new StatsCollector(checks, outputColumns)
  const input = await openParquet(reader)
  for await (const batch of input.batches()) collector.add(batch)
  return collector.stats()
}

/**
 * Orders values the way the column means them: numbers numerically, dates and timestamps by the
 * time they name (ISO text with and without fractions does not sort as text), other text as text.
 */
export function compareValues(type: OutputColumnType, a: number | string, b: number | string): number {
  if (type === 'timestamp' || type === 'date') return Date.parse(String(a)) - Date.parse(String(b))
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const [x, y] = [String(a), String(b)]
  return x < y ? -1 : x > y ? 1 : 0
}

/**
 * A decoded Parquet value in row-model form, as the checks' config states values: millisecond
 * timestamps arrive as Dates, INT64 as BigInts (a number when safe, else its decimal text).
 * Output columns are scalar, so nothing else needs converting.
 */
function cell(value: unknown): unknown {
  if (value === undefined || value === null) return null
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value.toString()
  return value
}

function offer(type: OutputColumnType, stats: ColumnStats, value: unknown): void {
  if (value === null) {
    stats.nulls++
    return
  }
  if (typeof value !== 'number' && typeof value !== 'string') return
  if (stats.min === undefined || compareValues(type, value, stats.min) < 0) stats.min = value
  if (stats.max === undefined || compareValues(type, value, stats.max) > 0) stats.max = value
}
