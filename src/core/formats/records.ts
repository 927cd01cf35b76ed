/**
 * What the text readers (CSV, NDJSON) hand on: rows, and the records that could not become rows,
 * each kept with its text so a quarantined record can be looked at and replayed without the source.
 */
import type { RowBatch } from './parquet.js'

/** A source record that could not become a row; `row` is its zero-based index in the file. */
export interface RowReadError {
  row: number
  message: string
  /** the record as read (invalid UTF-8 shown as U+FFFD), cut at MAX_RAW_CHARS */
  raw?: string
}

/**
 * A batch of consecutive source records, starting at index `rowStart`: the ones that read as rows in
 * `rows` (in order) and the ones that did not in `rowErrors`. Parquet batches never have row errors.
 */
export interface RecordBatch extends RowBatch {
  rowErrors?: RowReadError[]
  /** CSV: the header's column names */
  header?: readonly string[]
}

/**
 * The physical type reported for a text source's columns, which carry no type of their own: CSV
 * values are typed by the schema, NDJSON values one by one.
 */
export const TEXT_COLUMN_TYPE = 'TEXT'

/** Enough of a broken record to recognise it; the source object holds the rest. */
const MAX_RAW_CHARS = 64 * 1024

/** A record that could not be read, with (the start of) its text. */
export function unreadableRecord(row: number, message: string, buf: Buffer, start: number, end: number): RowReadError {
  const raw = buf.toString('utf8', start, Math.min(end, start + MAX_RAW_CHARS * 4))
  return { row, message, raw: raw.length > MAX_RAW_CHARS ? raw.slice(0, MAX_RAW_CHARS) : raw }
}
