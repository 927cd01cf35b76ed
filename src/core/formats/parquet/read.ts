import {
  type DecodedArray,
  type FileMetaData,
  type ParquetScan,
  parquetScan,
  parquetSchema,
  type RowGroup,
} from 'hyparquet'
import { FerryError, FormatError } from '../../../errors.js'
import type { Row } from '../columns.js'
import { checkChunk } from './decode/checksum.js'
import { FlatCursor, flatColumn } from './decode/flat.js'
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
import { chunkRange, groupRange, WindowedFile } from './window.js'

/** The rows of one batch (see BatchOptions). `rowStart` is the zero-based index of its first row in the file. */
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
  /**
   * rows per batch, at most; default 4,096. Row groups with a column only hyparquet decodes are read
   * in batches of at least 131,072 rows (hyparquet decodes each batch from the start of its pages).
   */
  maxRows?: number
  /**
   * `fast` (default): Ferry's decoder for flat columns of plain types (decode/flat.ts), hyparquet for
   * the rest. `hyparquet`: hyparquet for every column, the reference the fast path is tested against,
   * kept as a switch in case a file decodes differently.
   */
  decoder?: 'fast' | 'hyparquet'
  /** only these top-level columns, in file order (the others are not decoded); default all */
  columns?: readonly string[]
}

/** A Parquet file whose footer has been read and checked. */
export interface ParquetInput {
  info: ParquetFileInfo
  /**
   * The data, a batch of rows at a time (see BatchOptions): only that batch's values and one row
   * group's compressed bytes are in memory.
   * Throws FormatError for damaged data, naming the rows.
   */
  batches(options?: BatchOptions): AsyncGenerator<ColumnBatch, void, undefined>
}

/**
 * Rows per batch. Small batches are what makes the engine fast: a batch's values are garbage before
 * the young generation is next collected, so they are never copied into the old one. On the orders
 * benchmark, batches of 4,096 rows took 2.1 s of CPU per million rows, of 8,192 2.3 s, of 16,384 2.6 s.
 */
const DEFAULT_MAX_ROWS = 4096
/** Slices for row groups with columns only hyparquet decodes. */
const HYPARQUET_SLICE_ROWS = 131_072
/** Read at the end first: enough for the footer of nearly every file, so opening takes one request. */
const TAIL_GUESS = 64 * 1024

/** Footer summary: row count, row groups, top-level columns and codecs. Throws like `readParquet`. */
export function parquetMetadata(bytes: Uint8Array): ParquetFileInfo {
  return decodeFooter(bytes).info
}

function corrupt(what: string, err: unknown, context: Record<string, unknown>): FerryError {
  if (err instanceof FerryError) return err
  const reason = err instanceof Error ? err.message : String(err)
  return new FormatError(`corrupt Parquet data in ${what}: ${reason}`, { cause: err, context })
}

/**
 * How one top-level column of a row group is read: a cursor of the fast path, or hyparquet once the
 * page checksums of the column's chunks are checked.
 */
type ColumnReader = { cursor: Promise<FlatCursor> } | { checked: Promise<void> }

/**
 * Readers for a row group's columns: a FlatCursor for each chunk the fast path decodes, a checksum
 * walk over the chunks of the ones left to hyparquet (their bytes come from the loaded window).
 */
function groupReaders(
  metadata: FileMetaData,
  group: RowGroup,
  rowGroup: number,
  file: WindowedFile,
  fast: boolean,
  selected: (name: string) => boolean,
): ColumnReader[] {
  const rows = Number(group.num_rows)
  const columns = parquetSchema(metadata).children.filter(({ element }) => selected(element.name))
  return columns.map(({ element, children }) => {
    const chunks = group.columns.flatMap(({ meta_data: meta }) =>
      meta?.path_in_schema[0] === element.name ? [meta] : [],
    )
    const meta = chunks[0]
    const flat = fast && meta && flatColumn(element, meta, children.length === 0)
    if (flat && meta) {
      const [start, end] = chunkRange(meta)
      const place = { rowGroup, start }
      const cursor = file.bytes(start, end).then((bytes) => new FlatCursor(bytes, flat, rows, COMPRESSORS, place))
      // awaited when the column is read; until then a failed read must not count as unhandled
      cursor.catch(() => undefined)
      return { cursor }
    }
    const walks = chunks.map(async (chunk) => {
      const [start, end] = chunkRange(chunk)
      const leaf = chunk.path_in_schema.length > 1 ? chunk.path_in_schema.join('.') : undefined
      checkChunk(await file.bytes(start, end), { rowGroup, start, leaf })
    })
    const checked = Promise.all(walks).then(() => undefined)
    checked.catch(() => undefined)
    return { checked }
  })
}

class BatchReader {
  private readonly footer: DecodedFooter
  private readonly file: WindowedFile
  private readonly names: string[]
  /** hyparquet's reader, made on first need, for the columns the fast path leaves to it */
  private scan: Promise<ParquetScan> | undefined

  constructor(footer: DecodedFooter, file: WindowedFile, selected: (name: string) => boolean) {
    this.footer = footer
    this.file = file
    this.names = footer.info.columns.map((column) => column.name).filter(selected)
  }

  private hyparquet(): Promise<ParquetScan> {
    this.scan ??= parquetScan({
      file: this.file,
      metadata: this.footer.metadata,
      parsers: PARSERS,
      compressors: COMPRESSORS,
      // whole row groups are read, so page-level pruning would only cost extra requests
      useOffsetIndex: false,
    })
    return this.scan
  }

  /** Rows `[rowStart, rowEnd)`: the next rows of every cursor, and hyparquet's reads of the rest. */
  async read(readers: ColumnReader[], rowStart: number, rowEnd: number): Promise<ColumnBatch> {
    const context = { rowStart, rowEnd }
    const what = `rows ${rowStart}-${rowEnd - 1}`
    const length = rowEnd - rowStart
    const columns: Record<string, DecodedArray> = {}
    for (const [index, name] of this.names.entries()) {
      const reader = readers[index]!
      let data: DecodedArray
      try {
        if ('cursor' in reader) {
          data = (await reader.cursor).take(length)
        } else {
          await reader.checked
          data = await (await this.hyparquet()).readColumn({ column: name, rowStart, rowEnd })
        }
      } catch (err) {
        throw err instanceof FormatError
          ? new FormatError(`corrupt Parquet data in ${what}: column ${name}: ${err.message}`, {
              cause: err,
              context: { ...context, column: name },
            })
          : corrupt(`${what}: column ${name}`, err, { ...context, column: name })
      }
      if (data.length !== length) {
        throw new FormatError(`corrupt Parquet data in ${what}: column ${name} holds ${data.length} values`, {
          context: { ...context, column: name },
        })
      }
      columns[name] = data
    }
    return { rowStart, length, columns }
  }
}

async function* batches(
  footer: DecodedFooter,
  file: WindowedFile,
  { maxRows = DEFAULT_MAX_ROWS, decoder = 'fast', columns }: BatchOptions,
): AsyncGenerator<ColumnBatch> {
  const { metadata, info } = footer
  const wanted = columns && new Set(columns)
  const selected = (name: string) => !wanted || wanted.has(name)
  const reader = new BatchReader(footer, file, selected)
  let groupStart = 0
  const groups = metadata.row_groups
  for (const [index, group] of groups.entries()) {
    const groupRows = Number(group.num_rows)
    if (groupRows === 0) continue
    // the next row group is fetched while this one is decoded, so object-store latency overlaps work
    const next = groups.slice(index + 1).find((later) => Number(later.num_rows) > 0)
    await file.load(...groupRange(group), next && groupRange(next))
    const readers = groupReaders(metadata, group, index, file, decoder === 'fast', selected)
    // hyparquet decodes each slice from the start of its pages, so it gets few, large slices
    const step = readers.every((reader) => 'cursor' in reader) ? maxRows : Math.max(maxRows, HYPARQUET_SLICE_ROWS)
    const groupEnd = groupStart + groupRows
    for (let start = groupStart; start < groupEnd; start += step) {
      yield await reader.read(readers, start, Math.min(start + step, groupEnd))
    }
    groupStart = groupEnd
  }
  if (groupStart !== info.rows) {
    throw new FormatError(`corrupt Parquet layout: read ${groupStart} rows but the footer says ${info.rows}`)
  }
}

/**
 * Opens a Parquet file through ranged reads: the footer first (usually one request for the last 64
 * KiB), then, batch by batch, each row group's column chunks. `knownHead`, the file's first 4 bytes
 * when the caller has read them already, saves a request. Throws FormatError when the input is
 * not Parquet or its footer is damaged, and UnsupportedError for encryption or an unknown codec.
 */
export async function openParquet(reader: RangeReader, knownHead?: Uint8Array): Promise<ParquetInput> {
  const { size } = reader
  const tailStart = Math.max(0, size - TAIL_GUESS)
  const [head, guess] = await Promise.all([
    knownHead ?? reader.read(0, Math.min(4, size)),
    reader.read(tailStart, size),
  ])
  const footerLength = checkEnvelope(size, head, guess)
  const tail = footerLength + 8 <= guess.byteLength ? guess : await reader.read(size - footerLength - 8, size)
  const footer = decodeFooterTail(size, tail)
  const file = new WindowedFile(reader)
  return {
    info: footer.info,
    batches: (options = {}) => batches(footer, file, options),
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
 * Reads a Parquet file a batch at a time, yielding rows in the JSON shape the validators check:
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
