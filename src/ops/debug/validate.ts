/**
 * `ferry validate`: every record of one file checked against its dataset's JSON Schema, with the
 * worker's readers and validator, and nothing written anywhere.
 */
import { type DatasetInfo, findDataset } from '../../core/dataset.js'
import { detectFormat, readRecords, rowIndexes } from '../../core/formats/detect.js'
import { rowValidator } from '../../core/validate.js'
import { propertyView } from '../../core/validation/refs.js'
import { FerryError, FormatError, LimitError, UnsupportedError } from '../../errors.js'
import { int } from '../report/format.js'
import type { ObjectSource } from './source.js'

export interface RecordProblem {
  /** 1-based record number, like the quarantine's `row_number` */
  row: number
  /** JSON Pointer to the value, `''` for the record itself */
  instancePath: string
  /** the schema keyword that failed, or `read` when the record could not be read as a row */
  keyword: string
  message: string
}

export interface ValidationSummary {
  url: string
  dataset: string
  format: string
  compression: string
  rows: number
  valid: number
  invalid: number
  /** the first problems in file order (a record may contribute several) */
  firstErrors: RecordProblem[]
}

const DEFAULT_MAX_ERRORS = 10

/** Failures that mean "this file cannot be read", as opposed to infrastructure or usage problems. */
export function isUnreadable(err: unknown): err is FerryError {
  return err instanceof FormatError || err instanceof UnsupportedError || err instanceof LimitError
}

/** The dataset named `name`, or else the first whose key pattern matches; FERRY_NO_DATASET otherwise. */
export function chooseDataset<T extends DatasetInfo>(datasets: readonly T[], key: string, name?: string): T {
  const known = datasets.map((d) => d.name).join(', ')
  if (name !== undefined) {
    const named = datasets.find((d) => d.name === name)
    if (!named) throw new FerryError('FERRY_NO_DATASET', `no dataset named ${name} (known: ${known})`)
    return named
  }
  const matched = findDataset(datasets, key)
  if (!matched) {
    throw new FerryError('FERRY_NO_DATASET', `no dataset matches ${key}; name one with --dataset (known: ${known})`)
  }
  return matched
}

/**
 * Reads the whole object and validates every record. Throws (FormatError, UnsupportedError,
 * LimitError, FERRY_SOURCE_READ) when the file cannot be read at all.
 */
export async function validateObject(
  source: ObjectSource,
  dataset: DatasetInfo,
  maxErrors = DEFAULT_MAX_ERRORS,
  progress: () => void = () => {},
): Promise<ValidationSummary> {
  const bytes = await source.readAll()
  const { format, compression } = detectFormat(source.key, bytes)
  const validate = rowValidator(dataset)
  const summary: ValidationSummary = {
    url: source.url,
    dataset: dataset.name,
    format,
    compression,
    rows: 0,
    valid: 0,
    invalid: 0,
    firstErrors: [],
  }
  let readErrors = 0
  let firstReadError: string | undefined
  const note = (problem: RecordProblem) => {
    if (summary.firstErrors.length < maxErrors) summary.firstErrors.push(problem)
  }
  // Problems are gathered per batch and sorted, so a read error and a schema error keep file order.
  for await (const batch of readRecords(source.key, bytes, {
    schema: propertyView(dataset.schema, dataset.schemaRefs),
    delimiter: dataset.csv?.delimiter,
  })) {
    const problems: RecordProblem[] = []
    for (const error of batch.rowErrors ?? []) {
      problems.push({ row: error.row + 1, instancePath: '', keyword: 'read', message: error.message })
      readErrors++
      firstReadError ??= error.message
    }
    const indexes = rowIndexes(batch)
    for (const [i, row] of batch.rows.entries()) {
      const verdict = validate(row)
      if (verdict.valid) continue
      for (const { instancePath, keyword, message } of verdict.errors) {
        problems.push({ row: indexes[i]! + 1, instancePath, keyword, message })
      }
    }
    const invalidRows = new Set(problems.map((p) => p.row)).size
    summary.rows += batch.rows.length + (batch.rowErrors?.length ?? 0)
    summary.invalid += invalidRows
    for (const problem of problems.sort((a, b) => a.row - b.row)) note(problem)
    progress()
  }
  summary.valid = summary.rows - summary.invalid
  // as the worker judges it: a text file none of whose records reads as a row is unreadable
  if (summary.rows > 0 && readErrors === summary.rows) {
    throw new FormatError(
      `no record of ${source.url} reads as ${format === 'csv' ? 'a CSV' : 'an NDJSON'} row (${summary.rows} tried); the first: ${firstReadError}`,
    )
  }
  return summary
}

export function formatValidation(summary: ValidationSummary): string[] {
  const kind = summary.compression === 'gzip' ? `${summary.format}, gzip` : summary.format
  const lines = [
    `${summary.url} (${kind}) against dataset ${summary.dataset}`,
    `rows=${summary.rows} valid=${summary.valid} invalid=${summary.invalid}`,
  ]
  if (summary.firstErrors.length > 0) {
    lines.push('', `first ${summary.firstErrors.length} error(s):`)
    for (const e of summary.firstErrors) {
      lines.push(`  row ${int(e.row)}: ${e.instancePath || '(record)'} ${e.message} [${e.keyword}]`)
    }
  }
  return lines
}
