/**
 * Declarative column transforms: a dataset lists steps (rename, cast, derive, drop) that the engine
 * runs over whole columns of validated rows, without building a row object per row. The same steps
 * applied to one row give the dataset's row transform, so the two cannot disagree.
 */
import type { OutputColumn, OutputColumnType, Row } from './formats/columns.js'
import { castValue } from './transform-cast.js'
import { jsonCell } from './validation/batch.js'

/** A per-value function of named input columns; a throw rejects that row (keyword `transform`). */
export type DeriveFunction = (...inputs: unknown[]) => unknown

export type ColumnStep =
  | { op: 'rename'; column: string; to: string }
  | { op: 'cast'; column: string; to: OutputColumnType }
  | { op: 'derive'; column: string; from: readonly string[]; value: DeriveFunction }
  | { op: 'drop'; column: string }

export const rename = (column: string, to: string): ColumnStep => ({ op: 'rename', column, to })
export const cast = (column: string, to: OutputColumnType): ColumnStep => ({ op: 'cast', column, to })
/**
 * `column` := `value(...from)` for each row. Inputs are row-model values (null when absent, safe
 * INT64 as numbers), except that in the column engine a millisecond timestamp arrives as a `Date`
 * rather than its ISO-8601 text (transform-values.ts reads both). `column` may be one of `from`.
 */
export const derive = (column: string, from: readonly string[], value: DeriveFunction): ColumnStep => ({
  op: 'derive',
  column,
  from,
  value,
})
export const drop = (column: string): ColumnStep => ({ op: 'drop', column })

/** A row's columns by name; a name that is absent holds nulls. */
export type Columns = Map<string, ArrayLike<unknown>>

/** A row a step threw for: its index in the columns and what was thrown. */
export interface StepFailure {
  index: number
  error: unknown
}

const NO_VALUES: ArrayLike<unknown> = { length: 0 }

/** A decoded value as a derive function sees it (see `derive`). */
function input(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'bigint' || (typeof value === 'object' && !(value instanceof Date))) return jsonCell(value)
  return value
}

/**
 * Runs `compute(i)` for every row but those `skip` flags (which get null), recording a failure (and a
 * null) for each row it throws for. The try block wraps the loop rather than each call, and the loop
 * resumes after a failure.
 */
function perRow(
  length: number,
  compute: (index: number) => unknown,
  skip: Uint8Array | undefined,
  failures: StepFailure[],
): unknown[] {
  const out = new Array<unknown>(length)
  let i = 0
  while (i < length) {
    try {
      if (skip) for (; i < length; i++) out[i] = skip[i] ? null : (compute(i) ?? null)
      else for (; i < length; i++) out[i] = compute(i) ?? null
    } catch (err) {
      failures.push({ index: i, error: err })
      out[i] = null
      i++
    }
  }
  return out
}

function deriveColumn(
  step: Extract<ColumnStep, { op: 'derive' }>,
  columns: Columns,
  length: number,
  skip: Uint8Array | undefined,
  failures: StepFailure[],
) {
  const sources = step.from.map((name) => columns.get(name) ?? NO_VALUES)
  const fn = step.value
  if (sources.length === 1) {
    const only = sources[0]!
    return perRow(length, (i) => fn(input(only[i])), skip, failures)
  }
  if (sources.length === 2) {
    const [first, second] = sources as [ArrayLike<unknown>, ArrayLike<unknown>]
    return perRow(length, (i) => fn(input(first[i]), input(second[i])), skip, failures)
  }
  const args = new Array<unknown>(sources.length)
  return perRow(
    length,
    (i) => {
      for (let s = 0; s < sources.length; s++) args[s] = input(sources[s]![i])
      return fn(...args)
    },
    skip,
    failures,
  )
}

/**
 * Applies the steps to `length` rows held as columns, in place, skipping the rows `skip` flags (rows
 * the schema rejected: cast and derive give them null without running). Returns the rows a cast or
 * derive threw for; their values become null and later steps still see them.
 */
export function applyColumnSteps(
  steps: readonly ColumnStep[],
  columns: Columns,
  length: number,
  skip?: Uint8Array,
): StepFailure[] {
  const failures: StepFailure[] = []
  for (const step of steps) {
    switch (step.op) {
      case 'rename': {
        const values = columns.get(step.column)
        columns.delete(step.column)
        if (values) columns.set(step.to, values)
        else columns.delete(step.to)
        break
      }
      case 'drop':
        columns.delete(step.column)
        break
      case 'cast': {
        const values = columns.get(step.column) ?? NO_VALUES
        const to = step.to
        columns.set(
          step.column,
          perRow(length, (i) => castValue(values[i], to), skip, failures),
        )
        break
      }
      case 'derive':
        columns.set(step.column, deriveColumn(step, columns, length, skip, failures))
        break
    }
  }
  return failures
}

/**
 * The steps as a row transform: the row after the steps, reduced to the output columns (null where a
 * column has no value), or with every column when no output columns are given. Throws where a step
 * throws.
 */
export function rowTransform(steps: readonly ColumnStep[], outputColumns?: readonly OutputColumn[]): (row: Row) => Row {
  return (row) => {
    const columns: Columns = new Map(Object.entries(row).map(([name, value]) => [name, [value]]))
    const failures = applyColumnSteps(steps, columns, 1)
    if (failures.length > 0) throw failures[0]!.error
    const out: Row = {}
    if (!outputColumns) for (const [name, values] of columns) out[name] = values[0] ?? null
    else for (const { name } of outputColumns) out[name] = columns.get(name)?.[0] ?? null
    return out
  }
}
