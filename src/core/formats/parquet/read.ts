import { type DecodedArray, type ParquetScan, parquetScan } from 'hyparquet'
import { FerryError, FormatError } from '../../../errors.js'
import type { Row } from '../columns.js'
import { COMPRESSORS, type ColumnInfo, decodeFooter, type ParquetFileInfo } from './footer.js'
import { jsonValue, PARSERS } from './values.js'

/** The rows of one row group. `rowStart` is the zero-based index of its first row in the file. */
export interface RowBatch {
  rowStart: number
  rows: Row[]
}

/** Footer summary: row count, row groups, top-level columns and codecs. Throws like `readParquet`. */
export function parquetMetadata(bytes: Uint8Array): ParquetFileInfo {
  return decodeFooter(bytes).info
}

/**
 * hyparquet reads from an ArrayBuffer; a Uint8Array that is a window on a larger buffer (a pooled
 * Node Buffer, say) is copied once. Not with `slice()`: on a Buffer that returns another window.
 */
function ownArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer } = bytes
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) return buffer
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return copy.buffer
}

function corrupt(what: string, err: unknown, context: Record<string, unknown>): FerryError {
  if (err instanceof FerryError) return err
  const reason = err instanceof Error ? err.message : String(err)
  return new FormatError(`corrupt Parquet data in ${what}: ${reason}`, { cause: err, context })
}

/** Column arrays to row objects; null and missing values are left out of the row (see `Row`). */
function toRows(names: string[], columns: DecodedArray[], count: number): Row[] {
  const rows: Row[] = new Array(count)
  for (let r = 0; r < count; r++) {
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

async function readGroup(scan: ParquetScan, names: string[], rowStart: number, rowEnd: number): Promise<Row[]> {
  const context = { rowStart, rowEnd }
  const what = `rows ${rowStart}-${rowEnd - 1}`
  let columns: DecodedArray[]
  try {
    columns = await Promise.all(names.map((column) => scan.readColumn({ column, rowStart, rowEnd })))
  } catch (err) {
    throw corrupt(what, err, context)
  }
  const count = rowEnd - rowStart
  const short = columns.findIndex((data) => data.length !== count)
  if (short !== -1) {
    throw new FormatError(
      `corrupt Parquet data in ${what}: column ${names[short]} holds ${columns[short]!.length} values`,
      {
        context: { ...context, column: names[short] },
      },
    )
  }
  try {
    return toRows(names, columns, count)
  } catch (err) {
    throw corrupt(what, err, context)
  }
}

/**
 * Reads a Parquet file one row group at a time, yielding rows in the JSON shape the validators check:
 * timestamps as UTC ISO-8601 strings (3, 6 or 9 fraction digits by unit; INT96 as nanoseconds),
 * dates as `YYYY-MM-DD`, UTF-8 and unannotated byte arrays as strings, DECIMAL as numbers, INT64 as
 * numbers or decimal strings (see `jsonValue`), nulls left out.
 *
 * Throws FormatError for input that is not Parquet or is damaged (with a message naming the
 * problem), and UnsupportedError for encryption or a codec other than UNCOMPRESSED/SNAPPY/GZIP/BROTLI.
 * The footer is checked before the first batch, so a broken footer fails before any rows are seen.
 */
export async function* readParquet(bytes: Uint8Array): AsyncGenerator<RowBatch, void, undefined> {
  const { metadata, info } = decodeFooter(bytes)
  const names = info.columns.map((column) => column.name)
  let scan: ParquetScan
  try {
    scan = await parquetScan({ file: ownArrayBuffer(bytes), metadata, parsers: PARSERS, compressors: COMPRESSORS })
  } catch (err) {
    throw corrupt('the file', err, {})
  }
  let rowsRead = 0
  for (const { rowStart, rowEnd } of scan.ranges) {
    if (rowStart !== rowsRead) throw new FormatError(`corrupt Parquet layout: rows ${rowsRead}-${rowStart - 1} missing`)
    yield { rowStart, rows: await readGroup(scan, names, rowStart, rowEnd) }
    rowsRead = rowEnd
  }
  if (rowsRead !== info.rows) {
    throw new FormatError(`corrupt Parquet layout: read ${rowsRead} rows but the footer says ${info.rows}`)
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
