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
  /** one array per output column (dataset order), as long as the batch; only `written` rows count */
  output: ArrayLike<unknown>[]
  /** how many rows are written */
  rows: number
  /** batch indexes of the written rows, ascending; undefined when every row is written */
  written: Int32Array | undefined
  /** rejected rows in batch order */
  rejections: Rejection[]
  validateMs: number
  transformMs: number
}

const validators = new WeakMap<object, CompiledValidator>()

/** The dataset's validator, compiled on first use and then reused for every file. */
function validatorOf(dataset: Dataset): CompiledValidator {
  let validator = validators.get(dataset.schema)
  if (!validator) {
    validator = compileColumnarValidator(dataset.schema, dataset.name, dataset.schemaRefs)
    validators.set(dataset.schema, validator)
  }
  return validator
}

function transformError(err: unknown): RowError {
  const message = err instanceof Error ? err.message : String(err)
  return { instancePath: '', keyword: TRANSFORM_KEYWORD, message, params: {} }
}

/** Indexes below `length` whose flag is 0. */
function unflagged(flags: Uint8Array, length: number): Int32Array {
  const out = new Int32Array(length)
  let count = 0
  for (let i = 0; i < length; i++) if (flags[i] === 0) out[count++] = i
  return out.subarray(0, count)
}

/**
 * The declarative path: the steps over the batch's columns, skipping the rows the schema rejected.
 * Nothing is copied: the input columns a step leaves alone are the output columns.
 */
function transformColumns(dataset: Dataset, batch: ColumnBatch, invalid: Uint8Array | undefined) {
  const columns: Columns = new Map(Object.entries(batch.columns))
  const failures = applyColumnSteps(dataset.columns!, columns, batch.length, invalid)
  const output = dataset.outputColumns.map(({ name }) => columns.get(name) ?? new Array(batch.length).fill(null))
  return { output, failures }
}

/** The escape hatch: the dataset's row function on each valid row, as read. */
function transformRows(dataset: Dataset, batch: ColumnBatch, invalid: Uint8Array | undefined) {
  const rows: Row[] = new Array(batch.length)
  const failures: StepFailure[] = []
  for (let i = 0; i < batch.length; i++) {
    if (invalid?.[i]) continue
    try {
      rows[i] = dataset.transform(rowAt(batch, i))
    } catch (error) {
      failures.push({ index: i, error })
    }
  }
  const output = dataset.outputColumns.map(({ name }) => Array.from(rows, (row) => row?.[name]))
  return { output, failures }
}

/** Merges validation and transform rejections into batch order. */
function rejectionsOf(errors: Map<number, RowError[]>, failures: readonly StepFailure[]): Rejection[] {
  const rejections: Rejection[] = []
  for (const [index, rowErrors] of errors) rejections.push({ index, errors: rowErrors })
  const failed = new Set<number>()
  for (const { index, error } of failures) {
    // a row that several steps threw for is reported once, with the first reason
    if (failed.has(index)) continue
    failed.add(index)
    rejections.push({ index, errors: [transformError(error)] })
  }
  return rejections.sort((a, b) => a.index - b.index)
}

/** Validates and transforms one batch (see BatchResult). Throws FERRY_INTERNAL when validators disagree. */
export function processBatch(dataset: Dataset, batch: ColumnBatch): BatchResult {
  const started = performance.now()
  const verdict = validatorOf(dataset).validate(batch)
  const invalid = verdict.invalidCount > 0 ? verdict.invalid : undefined
  const validated = performance.now()

  const transform = dataset.columns ? transformColumns : transformRows
  const { output, failures } = transform(dataset, batch, invalid)
  let written: Int32Array | undefined
  if (invalid || failures.length > 0) {
    const rejected = invalid ?? new Uint8Array(batch.length)
    for (const { index } of failures) rejected[index] = 1
    written = unflagged(rejected, batch.length)
  }
  return {
    output,
    rows: written ? written.length : batch.length,
    written,
    rejections: rejectionsOf(verdict.errors, failures),
    validateMs: validated - started,
    transformMs: performance.now() - validated,
  }
}
