import { performance } from 'node:perf_hooks'
import type { Dataset, Row } from './dataset.js'
import { readParquet, writeParquet } from './formats/parquet.js'
import { epochFromIsoTimestamp, utcDateOf } from './temporal.js'
import { type RowError, rowValidator } from './validate.js'

export interface FirstError {
  /** 1-based row number in the source file */
  row: number
  instancePath: string
  keyword: string
  message: string
}

export interface ProcessedFile {
  rowsIn: number
  rowsOut: number
  rowsRejected: number
  /** Parquet of the transformed valid rows; a valid (empty) Parquet file even with zero rows */
  output: Uint8Array
  /** NDJSON, one line per rejected row (see QuarantineLine); undefined when nothing was rejected */
  quarantine?: Uint8Array
  /** the first errors in file order, at most MAX_FIRST_ERRORS (a row may contribute several) */
  firstErrors: FirstError[]
  /** UTC date of the newest event time among the written rows; undefined when no row has one */
  eventDate?: string
  bytesIn: number
  /** size of `output` (the quarantine file is not counted) */
  bytesOut: number
  durationsMs: { read: number; validate: number; transform: number; write: number }
}

/** One quarantine NDJSON line: the row as read, and why it was rejected. */
export interface QuarantineLine {
  /** 1-based, like a line number; the Parquet row index is `row_number - 1` */
  row_number: number
  row: Row
  errors: Array<Pick<RowError, 'instancePath' | 'keyword' | 'message'>>
}

export const MAX_FIRST_ERRORS = 10

/** A throwing transform rejects its row (reported under this keyword) instead of failing the file. */
const TRANSFORM_KEYWORD = 'transform'

class NewestEvent {
  private readonly field: string
  private newest: bigint | undefined
  private newestText: string | undefined

  constructor(field: string) {
    this.field = field
  }

  offer(row: Row): void {
    const value = row[this.field]
    if (typeof value !== 'string') return
    const millis = epochFromIsoTimestamp(value, 'ms')
    if (millis !== undefined && (this.newest === undefined || millis > this.newest)) {
      this.newest = millis
      this.newestText = value
    }
  }

  date(): string | undefined {
    return this.newestText === undefined ? undefined : utcDateOf(this.newestText)
  }
}

function reject(rowNumber: number, row: Row, errors: RowError[], lines: string[], firstErrors: FirstError[]): void {
  const brief = errors.map(({ instancePath, keyword, message }) => ({ instancePath, keyword, message }))
  const line: QuarantineLine = { row_number: rowNumber, row, errors: brief }
  lines.push(JSON.stringify(line))
  for (const error of brief) {
    if (firstErrors.length >= MAX_FIRST_ERRORS) break
    firstErrors.push({ row: rowNumber, ...error })
  }
}

function transformError(err: unknown): RowError {
  const message = err instanceof Error ? err.message : String(err)
  return { instancePath: '', keyword: TRANSFORM_KEYWORD, message, params: {} }
}

/**
 * Validates, transforms and re-encodes one source file. Pure: bytes in, bytes out.
 *
 * Every row is either written or quarantined, so rowsIn = rowsOut + rowsRejected always holds. A row
 * is rejected when the dataset's schema refuses it or its transform throws. The event date comes
 * from the newest `eventTimeField` among the written rows, so a file that straddles midnight is
 * filed under the later day. Reads row group by row group; the output is encoded once at the end.
 *
 * Throws FormatError when the input is not readable Parquet, UnsupportedError for Parquet features
 * Ferry cannot read, and FerryError FERRY_INTERNAL when the transform produces a value its own
 * output columns cannot hold (a dataset bug).
 */
export async function processFile(bytes: Uint8Array, dataset: Dataset): Promise<ProcessedFile> {
  const validate = rowValidator(dataset)
  const durationsMs = { read: 0, validate: 0, transform: 0, write: 0 }
  const written: Row[] = []
  const quarantineLines: string[] = []
  const firstErrors: FirstError[] = []
  const newest = new NewestEvent(dataset.eventTimeField)
  let rowsIn = 0

  const batches = readParquet(bytes)
  for (;;) {
    const readStarted = performance.now()
    const next = await batches.next()
    const readDone = performance.now()
    durationsMs.read += readDone - readStarted
    if (next.done) break
    const { rows } = next.value
    const verdicts = rows.map(validate)
    const validated = performance.now()
    durationsMs.validate += validated - readDone
    for (const [index, row] of rows.entries()) {
      const verdict = verdicts[index]!
      const rowNumber = rowsIn + index + 1
      if (!verdict.valid) {
        reject(rowNumber, row, verdict.errors, quarantineLines, firstErrors)
        continue
      }
      try {
        written.push(dataset.transform(row))
        newest.offer(row)
      } catch (err) {
        reject(rowNumber, row, [transformError(err)], quarantineLines, firstErrors)
      }
    }
    rowsIn += rows.length
    durationsMs.transform += performance.now() - validated
  }

  const writeStarted = performance.now()
  const output = writeParquet(dataset.outputColumns, written)
  const quarantine =
    quarantineLines.length > 0 ? new TextEncoder().encode(`${quarantineLines.join('\n')}\n`) : undefined
  durationsMs.write = performance.now() - writeStarted

  return {
    rowsIn,
    rowsOut: written.length,
    rowsRejected: quarantineLines.length,
    output,
    quarantine,
    firstErrors,
    eventDate: newest.date(),
    bytesIn: bytes.byteLength,
    bytesOut: output.byteLength,
    durationsMs,
  }
}
