/**
 * One batch through validation and transform: which rows are rejected and why, and the output
 * columns of the rest. Pure and synchronous; the engine (engine.ts) does the reading and writing.
 */
import { performance } from 'node:perf_hooks'
import type { Dataset, Row } from '../dataset.js'
import type { ColumnBatch } from '../formats/parquet.js'
import { applyColumnSteps, type Columns, type StepFailure } from '../transform.js'
import type { RowError } from '../validate.js'
import { type CompiledValidator, compileColumnarValidator, rowAt } from '../validation/columnar.js'
import type { Rejection } from './quarantine.js'

/** A throwing transform rejects its row (reported under this keyword) instead of failing the file. */
const TRANSFORM_KEYWORD = 'transform'

export interface BatchResult {
  /** one array per output column (dataset order), each `rows` long */
  output: ArrayLike<unknown>[]
  rows: number
  /** rejected rows in batch order */
  rejections: Rejection[]
  /** batch indexes of the written rows; undefined when every row was written */
  written: Int32Array | undefined
  validateMs: number
  transformMs: number
}

const validators = new WeakMap<object, CompiledValidator>()

/** The dataset's validator, compiled on first use and then reused for every file. */
function validatorOf(dataset: Dataset): CompiledValidator {
  let validator = validators.get(dataset.schema)
  if (!validator) {
    validator = compileColumnarValidator(dataset.schema, dataset.name)
    validators.set(dataset.schema, validator)
  }
  return validator
}

function transformError(err: unknown): RowError {
  const message = err instanceof Error ? err.message : String(err)
  return { instancePath: '', keyword: TRANSFORM_KEYWORD, message, params: {} }
}

function select(values: ArrayLike<unknown>, indexes: Int32Array): unknown[] {
  const out = new Array<unknown>(indexes.length)
  for (let i = 0; i < indexes.length; i++) out[i] = values[indexes[i]!]
  return out
}

/** Indexes below `length` whose flag is 0. */
function unflagged(flags: Uint8Array, length: number): Int32Array {
  const out = new Int32Array(length)
  let count = 0
  for (let i = 0; i < length; i++) if (flags[i] === 0) out[count++] = i
  return out.subarray(0, count)
}

/** The declarative path: the steps over the valid rows' columns. */
function transformColumns(dataset: Dataset, batch: ColumnBatch, valid: Int32Array | undefined, count: number) {
  const columns: Columns = new Map()
  for (const [name, values] of Object.entries(batch.columns)) columns.set(name, valid ? select(values, valid) : values)
  const failures = applyColumnSteps(dataset.columns!, columns, count)
  const output = dataset.outputColumns.map(({ name }) => columns.get(name) ?? new Array(count).fill(null))
  return { output, failures }
}

/** The escape hatch: the dataset's row function on each valid row, as read. */
function transformRows(dataset: Dataset, batch: ColumnBatch, valid: Int32Array | undefined, count: number) {
  const rows: Row[] = new Array(count)
  const failures: StepFailure[] = []
  for (let i = 0; i < count; i++) {
    try {
      rows[i] = dataset.transform(rowAt(batch, valid ? valid[i]! : i))
    } catch (error) {
      failures.push({ index: i, error })
      rows[i] = {}
    }
  }
  const output = dataset.outputColumns.map(({ name }) => rows.map((row) => row[name]))
  return { output, failures }
}

/** Merges validation and transform rejections into batch order. */
function rejectionsOf(
  errors: Map<number, RowError[]>,
  failures: readonly StepFailure[],
  valid: Int32Array | undefined,
): Rejection[] {
  const rejections: Rejection[] = []
  for (const [index, rowErrors] of errors) rejections.push({ index, errors: rowErrors })
  const failed = new Set<number>()
  for (const { index, error } of failures) {
    // a row that several steps threw for is reported once, with the first reason
    if (failed.has(index)) continue
    failed.add(index)
    rejections.push({ index: valid ? valid[index]! : index, errors: [transformError(error)] })
  }
  return rejections.sort((a, b) => a.index - b.index)
}

/** Validates and transforms one batch (see BatchResult). Throws FERRY_INTERNAL when validators disagree. */
export function processBatch(dataset: Dataset, batch: ColumnBatch): BatchResult {
  const started = performance.now()
  const verdict = validatorOf(dataset).validate(batch)
  const valid = verdict.invalidCount > 0 ? unflagged(verdict.invalid, batch.length) : undefined
  const count = valid ? valid.length : batch.length
  const validated = performance.now()

  const transform = dataset.columns ? transformColumns : transformRows
  const { output, failures } = transform(dataset, batch, valid, count)
  let rows = count
  let written = valid
  let columns = output
  if (failures.length > 0) {
    const failedRows = new Uint8Array(count)
    for (const { index } of failures) failedRows[index] = 1
    const kept = unflagged(failedRows, count)
    columns = output.map((values) => select(values, kept))
    written = valid ? kept.map((index) => valid[index]!) : kept
    rows = kept.length
  }
  return {
    output: columns,
    rows,
    rejections: rejectionsOf(verdict.errors, failures, valid),
    written,
    validateMs: validated - started,
    transformMs: performance.now() - validated,
  }
}
