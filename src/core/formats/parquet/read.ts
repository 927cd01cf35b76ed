import { type AsyncBuffer, type DecodedArray, type FileMetaData, type ParquetScan, parquetScan } from 'hyparquet'
import { FerryError, FormatError } from '../../../errors.js'
import type { Row } from '../columns.js'
import {
  COMPRESSORS,
  type ColumnInfo,
  checkEnvelope,
  type DecodedFooter,
  decodeFooter,
  decodeFooterTail,
  type ParquetFileInfo,
} from './footer.js'
import { bytesReader, type RangeReader } from './io.js'
import { jsonValue, PARSERS } from './values.js'

/** The rows of one row group. `rowStart` is the zero-based index of its first row in the file. */
export interface RowBatch {
  rowStart: number
  rows: Row[]
}

/**
 * Consecutive rows as decoded columns, in the file's column order: strings, numbers, booleans, BigInts
 * (INT64), `Date`s (millisecond timestamps, see PARSERS), ISO text (finer timestamps, dates), with
 * null where a row has no value. `jsonValue` gives any value its row-model form.
 */
export interface ColumnBatch {
  /** zero-based index of the first row in the file */
  rowStart: number
  length: number
  columns: Record<string, DecodedArray>
}

export interface BatchOptions {
  /** row groups with more rows are read in slices of at most this many; default 131,072 */
  maxRows?: number
}

/** A Parquet file whose footer has been read and checked. */
export interface ParquetInput {
  info: ParquetFileInfo
  /**
   * The data, one row group (or slice of one) at a time: only the batch being read is in memory.
   * Throws FormatError for damaged data, naming the rows.
   */
  batches(options?: BatchOptions): AsyncGenerator<ColumnBatch, void, undefined>
}

const DEFAULT_MAX_ROWS = 131_072
/** Read at the end first: enough for the footer of nearly every file, so opening takes one request. */
const TAIL_GUESS = 64 * 1024
/** A row group's column chunks are fetched in one request unless they are larger than this. */
const MAX_WINDOW_BYTES = 64 * 1024 * 1024

/** Footer summary: row count, row groups, top-level columns and codecs. Throws like `readParquet`. */
export function parquetMetadata(bytes: Uint8Array): ParquetFileInfo {
  return decodeFooter(bytes).info
}

/** hyparquet decodes from ArrayBuffers; a view onto a larger buffer is copied out. */
function ownArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer } = bytes
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) return buffer
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return copy.buffer
}

/**
 * hyparquet's file interface over a RangeReader, serving reads that fall inside the loaded window
 * (one row group's column chunks) from memory, so a row group costs one request, not one per column.
 */
class WindowedFile implements AsyncBuffer {
  readonly byteLength: number
  private readonly reader: RangeReader
  private window: { start: number; bytes: Uint8Array } | undefined

  constructor(reader: RangeReader) {
    this.reader = reader
    this.byteLength = reader.size
  }

  async load(start: number, end: number): Promise<void> {
    this.window = undefined
    if (start < end && end - start <= MAX_WINDOW_BYTES)
      this.window = { start, bytes: await this.reader.read(start, end) }
  }

  async slice(start: number, end = this.byteLength): Promise<ArrayBuffer> {
    const window = this.window
    if (window && start >= window.start && end <= window.start + window.bytes.byteLength) {
      return ownArrayBuffer(window.bytes.subarray(start - window.start, end - window.start))
    }
    return ownArrayBuffer(await this.reader.read(start, end))
  }
}

/** Byte range of the column chunks of the row group starting at `rowStart` (dictionary pages come first). */
function groupSpan(metadata: FileMetaData, rowStart: number): [number, number] {
  let firstRow = 0
  const group = metadata.row_groups.find((candidate) => {
    const found = firstRow === rowStart && candidate.num_rows > 0n
    firstRow += Number(candidate.num_rows)
    return found
  })
  let start = Number.POSITIVE_INFINITY
  let end = 0
  for (const chunk of group?.columns ?? []) {
    const meta = chunk.meta_data!
    // some writers store 0 for "no dictionary", as in checkLayout
    const first = Number(meta.dictionary_page_offset || meta.data_page_offset)
    start = Math.min(start, first)
    end = Math.max(end, first + Number(meta.total_compressed_size))
  }
  return [start, end]
}

function corrupt(what: string, err: unknown, context: Record<string, unknown>): FerryError {
  if (err instanceof FerryError) return err
  const reason = err instanceof Error ? err.message : String(err)
  return new FormatError(`corrupt Parquet data in ${what}: ${reason}`, { cause: err, context })
}

async function readRange(scan: ParquetScan, names: string[], rowStart: number, rowEnd: number): Promise<ColumnBatch> {
  const context = { rowStart, rowEnd }
  const what = `rows ${rowStart}-${rowEnd - 1}`
  let decoded: DecodedArray[]
  try {
    decoded = await Promise.all(names.map((column) => scan.readColumn({ column, rowStart, rowEnd })))
  } catch (err) {
    throw corrupt(what, err, context)
  }
  const length = rowEnd - rowStart
  const columns: Record<string, DecodedArray> = {}
  for (const [index, name] of names.entries()) {
    const data = decoded[index]!
    if (data.length !== length) {
      throw new FormatError(`corrupt Parquet data in ${what}: column ${name} holds ${data.length} values`, {
        context: { ...context, column: name },
      })
    }
    columns[name] = data
  }
  return { rowStart, length, columns }
}

async function* batches(footer: DecodedFooter, file: WindowedFile, maxRows: number): AsyncGenerator<ColumnBatch> {
  const { metadata, info } = footer
  const names = info.columns.map((column) => column.name)
  let scan: ParquetScan
  try {
    scan = await parquetScan({
      file,
      metadata,
      parsers: PARSERS,
      compressors: COMPRESSORS,
      // whole row groups are read, so page-level pruning would only cost extra requests
      useOffsetIndex: false,
    })
  } catch (err) {
    throw corrupt('the file', err, {})
  }
  let rowsRead = 0
  for (const { rowStart, rowEnd } of scan.ranges) {
    if (rowStart !== rowsRead) throw new FormatError(`corrupt Parquet layout: rows ${rowsRead}-${rowStart - 1} missing`)
    await file.load(...groupSpan(metadata, rowStart))
    for (let start = rowStart; start < rowEnd; start += maxRows) {
      yield await readRange(scan, names, start, Math.min(start + maxRows, rowEnd))
    }
    rowsRead = rowEnd
  }
  if (rowsRead !== info.rows) {
    throw new FormatError(`corrupt Parquet layout: read ${rowsRead} rows but the footer says ${info.rows}`)
  }
}

/**
 * Opens a Parquet file through ranged reads: the footer first (usually one request for the last 64
 * KiB), then, batch by batch, each row group's column chunks. Throws FormatError when the input is
 * not Parquet or its footer is damaged, and UnsupportedError for encryption or an unknown codec.
 */
export async function openParquet(reader: RangeReader): Promise<ParquetInput> {
  const { size } = reader
  const tailStart = Math.max(0, size - TAIL_GUESS)
  const [head, guess] = await Promise.all([reader.read(0, Math.min(4, size)), reader.read(tailStart, size)])
  const footerLength = checkEnvelope(size, head, guess)
  const tail = footerLength + 8 <= guess.byteLength ? guess : await reader.read(size - footerLength - 8, size)
  const footer = decodeFooterTail(size, tail)
  const file = new WindowedFile(reader)
  return {
    info: footer.info,
    batches: (options = {}) => batches(footer, file, options.maxRows ?? DEFAULT_MAX_ROWS),
  }
}

/** Column batch to row objects; null and missing values are left out of the row (see `Row`). */
function toRows(batch: ColumnBatch): Row[] {
  const names = Object.keys(batch.columns)
  const columns = Object.values(batch.columns)
  const rows: Row[] = new Array(batch.length)
  for (let r = 0; r < batch.length; r++) {
    const row: Row = {}
    for (let c = 0; c < names.length; c++) {
      const value: unknown = columns[c]![r]
      if (value === null || value === undefined) continue
      row[names[c]!] = typeof value === 'object' || typeof value === 'bigint' ? jsonValue(value) : value
    }
    rows[r] = row
  }
  return rows
}

/**
 * Reads a Parquet file one row group at a time, yielding rows in the JSON shape the validators check:
 * timestamps as UTC ISO-8601 strings (3, 6 or 9 fraction digits by unit; INT96 as nanoseconds),
 * dates as `YYYY-MM-DD`, UTF-8 and unannotated byte arrays as strings, DECIMAL as numbers, INT64 as
 * numbers or decimal strings (see `jsonValue`), nulls left out.
 *
 * Throws FormatError for input that is not Parquet or is damaged (with a message naming the
 * problem), and UnsupportedError for encryption or a codec Ferry cannot decode.
 * The footer is checked before the first batch, so a broken footer fails before any rows are seen.
 */
export async function* readParquet(bytes: Uint8Array): AsyncGenerator<RowBatch, void, undefined> {
  const input = await openParquet(bytesReader(bytes))
  for await (const batch of input.batches()) {
    let rows: Row[]
    try {
      rows = toRows(batch)
    } catch (err) {
      throw corrupt(`rows ${batch.rowStart}-${batch.rowStart + batch.length - 1}`, err, {})
    }
    yield { rowStart: batch.rowStart, rows }
  }
}

/** Whole-file convenience over `readParquet`. */
export async function readParquetRows(bytes: Uint8Array): Promise<{ columns: ColumnInfo[]; rows: Row[] }> {
  const columns = parquetMetadata(bytes).columns
  const rows: Row[] = []
  for await (const batch of readParquet(bytes)) {
    for (const row of batch.rows) rows.push(row)
  }
  return { columns, rows }
}
