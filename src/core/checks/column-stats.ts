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
 * Smallest and largest non-null value of one column, and its nulls. Values are compared by a sort
 * key (a Date by its time, text in a date or timestamp column by the time it names, anything else
 * as it is) and converted to row-model form only once, at the end: the loops over every row do no
 * formatting or parsing for the columns Ferry writes (millisecond timestamps decode to Dates).
 */
class Extremes {
  nulls = 0
  private min: unknown
  private max: unknown
  private minKey: number | string | bigint | undefined
  private maxKey: number | string | bigint | undefined
  private readonly temporal: boolean

  constructor(type: OutputColumnType) {
    this.temporal = type === 'timestamp' || type === 'date'
  }

  add(values: ArrayLike<unknown>, length: number): void {
    for (let r = 0; r < length; r++) {
      const value = values[r]
      if (value === null || value === undefined) {
        this.nulls++
        continue
      }
      const key = this.sortKey(value)
      if (key === undefined) continue
      if (this.minKey === undefined || key < this.minKey) {
        this.minKey = key
        this.min = value
      }
      if (this.maxKey === undefined || key > this.maxKey) {
        this.maxKey = key
        this.max = value
      }
    }
  }

  private sortKey(value: unknown): number | string | bigint | undefined {
    if (value instanceof Date) return value.getTime()
    if (typeof value === 'string') return this.temporal ? Date.parse(value) : value
    if (typeof value === 'number' || typeof value === 'bigint') return value
    return undefined
  }

  stats(): ColumnStats {
    const stats: ColumnStats = { nulls: this.nulls }
    if (this.minKey !== undefined) stats.min = cell(this.min) as number | string
    if (this.maxKey !== undefined) stats.max = cell(this.max) as number | string
    return stats
  }
}

/** Counts repeated keys. A one-column key is its value itself (a Date by its time), others are JSON. */
class RepeatedKeys {
  count = 0
  private readonly seen = new Set<unknown>()
  readonly columns: string[]

  constructor(columns: string[]) {
    this.columns = columns
  }

  add(parts: ArrayLike<unknown>[], length: number): void {
    const single = parts.length === 1 ? parts[0]! : undefined
    for (let r = 0; r < length; r++) {
      const key = single ? singleKey(single[r]) : JSON.stringify(parts.map((values) => cell(values[r])))
      if (this.seen.has(key)) this.count++
      else this.seen.add(key)
    }
  }
}

function singleKey(value: unknown): unknown {
  if (value === undefined) return null
  return value instanceof Date ? value.getTime() : value
}

/**
 * Accumulates column statistics one batch at a time. Memory is one entry per column plus, per
 * duplicates check, a Set of the file's keys: bounded by the file, never by the night.
 */
export class StatsCollector {
  private readonly columns = new Map<string, Extremes>()
  private readonly allowed: Array<{ column: string; values: Set<unknown>; count: number; examples: Set<string> }>
  private readonly keys: RepeatedKeys[]
  private rows = 0

  constructor(checks: DatasetChecks, outputColumns: readonly OutputColumn[]) {
    const types = new Map(outputColumns.map((c) => [c.name, c.type]))
    const named = [
      ...(checks.nullRate ?? []).map((c) => c.column),
      ...(checks.range ?? []).map((c) => c.column),
      ...(checks.freshness ? [checks.freshness.column] : []),
    ]
    for (const name of named) this.columns.set(name, new Extremes(types.get(name) ?? 'string'))
    this.allowed = (checks.allowedValues ?? []).map((c) => ({
      column: c.column,
      values: new Set<unknown>(c.values),
      count: 0,
      examples: new Set<string>(),
    }))
    this.keys = (checks.duplicates ?? []).map((c) => new RepeatedKeys(c.columns))
  }

  add(batch: ColumnarBatch): void {
    const column = (name: string) => batch.columns[name] ?? { length: 0 }
    for (const [name, extremes] of this.columns) extremes.add(column(name), batch.length)
    for (const check of this.allowed) {
      const values = column(check.column)
      for (let r = 0; r < batch.length; r++) {
        const raw = values[r]
        // text, the usual case, is already in row-model form
        const value = typeof raw === 'string' ? raw : cell(raw)
        if (value === null || check.values.has(value)) continue
        check.count++
        if (check.examples.size < MAX_EXAMPLES) check.examples.add(String(value))
      }
    }
    for (const check of this.keys) check.add(check.columns.map(column), batch.length)
    this.rows += batch.length
  }

  /** the columns the checks read; the others need not be decoded */
  columnNames(): string[] {
    return [
      ...new Set([
        ...this.columns.keys(),
        ...this.allowed.map((c) => c.column),
        ...this.keys.flatMap((c) => c.columns),
      ]),
    ]
  }

  stats(): FileStats {
    return {
      rows: this.rows,
      columns: new Map([...this.columns].map(([name, extremes]) => [name, extremes.stats()])),
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
  for await (const batch of input.batches({ columns: collector.columnNames() })) collector.add(batch)
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
