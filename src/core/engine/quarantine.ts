import type { Row } from '../formats/columns.js'
import type { ByteSink } from '../formats/parquet.js'
import type { RowReadError } from '../formats/records.js'
import type { RowError } from '../validate.js'
import { type ColumnBatch, rowAt } from '../validation/columnar.js'

export interface FirstError {
  /** 1-based row number in the source file */
  row: number
  instancePath: string
  keyword: string
  message: string
}

/**
 * One quarantine NDJSON line: the row as read, or for a text record that could not become a row (bad
 * JSON, ragged CSV, invalid UTF-8) its `raw` text instead, and why it was rejected.
 */
export interface QuarantineLine {
  /** 1-based record number; the Parquet row index is `row_number - 1` (text formats skip blank lines) */
  row_number: number
  row?: Row
  raw?: string
  errors: Array<Pick<RowError, 'instancePath' | 'keyword' | 'message'>>
}

/** The keyword under which an unreadable record is quarantined. */
export const READ_KEYWORD = 'read'

/** A rejected row of a batch: its index in the batch and why. */
export interface Rejection {
  index: number
  errors: readonly RowError[]
}

export const MAX_FIRST_ERRORS = 10

/**
 * Writes rejected rows to the quarantine sink as NDJSON, one batch at a time, and keeps the file's
 * first errors. Rows must arrive in file order.
 */
export class Quarantine {
  readonly firstErrors: FirstError[] = []
  rows = 0
  private readonly sink: ByteSink
  private readonly encoder = new TextEncoder()

  constructor(sink: ByteSink) {
    this.sink = sink
  }

  async add(batch: ColumnBatch & { rowStart: number }, rejections: readonly Rejection[]): Promise<void> {
    if (rejections.length === 0) return
    let text = ''
    for (const { index, errors } of rejections) {
      const rowNumber = batch.rowStart + index + 1
      const brief = errors.map(({ instancePath, keyword, message }) => ({ instancePath, keyword, message }))
      text += this.line({ row_number: rowNumber, row: rowAt(batch, index), errors: brief })
    }
    this.rows += rejections.length
    await this.sink.write(this.encoder.encode(text))
  }

  /** Text records that could not be read as rows, in file order. */
  async addUnreadable(records: readonly RowReadError[]): Promise<void> {
    if (records.length === 0) return
    let text = ''
    for (const { row, message, raw } of records) {
      const errors = [{ instancePath: '', keyword: READ_KEYWORD, message }]
      text += this.line({ row_number: row + 1, ...(raw === undefined ? {} : { raw }), errors })
    }
    this.rows += records.length
    await this.sink.write(this.encoder.encode(text))
  }

  private line(line: QuarantineLine): string {
    for (const error of line.errors) {
      if (this.firstErrors.length >= MAX_FIRST_ERRORS) break
      this.firstErrors.push({ row: line.row_number, ...error })
    }
    return `${JSON.stringify(line)}\n`
  }
}
