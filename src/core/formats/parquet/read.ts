import {
  type DecodedArray,
  type FileMetaData,
  type ParquetScan,
  parquetScan,
  parquetSchema,
  type RowGroup,
  type SchemaTree,
} from 'hyparquet'
import { FerryError, FormatError, UnsupportedError } from '../../../errors.js'
import type { Row } from '../columns.js'
import { COMPRESSORS } from './codecs.js'
import { PageBudget, type PageLimits } from './decode/budget.js'
import { FlatCursor, flatColumn } from './decode/flat.js'
import { columnLevels } from './decode/levels.js'
import type { ChunkPlace } from './decode/place.js'
import { checkChunk } from './decode/validate.js'
import {
  type ColumnInfo,
  checkEnvelope,
  type DecodedFooter,
  decodeFooter,
  decodeFooterTail,
  type ParquetFileInfo,
} from './footer.js'
import { bytesReader, type RangeReader } from './io.js'
import { withStandardLists } from './legacy-lists.js'
import { leafPath } from './schema.js'
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
   * group's compressed bytes are in memory. Every page is checked before its values are decoded
   * (decode/chunk.ts). Throws FormatError for damaged data, naming the rows, column, row group, page
   * and byte; UnsupportedError for an encoding Ferry does not read; LimitError over a page limit.
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

/**
 * A column's read failed: FerryErrors keep their class with the rows and column named; anything
 * else (hyparquet on values the checks let through, a JSON column's bad text) is named for what it
 * is, its JavaScript message kept only as the cause.
 */
function columnError(err: unknown, what: string, column: string, context: Record<string, unknown>): FerryError {
  const at = `corrupt Parquet data in ${what}: column ${column}`
  const options = { cause: err, context: { ...context, column } }
  if (err instanceof FormatError) return new FormatError(`${at}: ${err.message}`, options)
  if (err instanceof UnsupportedError)
    return new UnsupportedError(err.feature, `column ${column}: ${err.message}`, options)
  if (err instanceof FerryError) return err
  const reason = err instanceof SyntaxError ? 'a JSON value in it does not parse' : 'its values do not decode'
  return new FormatError(`${at}: ${reason}`, options)
}

/**
 * How one top-level column of a row group is read: a cursor of the fast path, or hyparquet once
 * every page of the column's chunks is checked (decode/validate.ts).
 */
type ColumnReader = { cursor: Promise<FlatCursor> } | { checked: Promise<void> }

/** Whether hyparquet reads a leaf as a flat column (its `isFlatColumn`): top-level, not repeated. */
function isFlat(path: readonly SchemaTree[]): boolean {
  return path.length === 2 && path[1]!.element.repetition_type !== 'REPEATED'
}

/**
 * Readers for a row group's columns: a FlatCursor for each chunk the fast path decodes, a check of
 * every page of the chunks left to hyparquet (their bytes come from the loaded window).
 */
function groupReaders(
  metadata: FileMetaData,
  group: RowGroup,
  rowGroup: number,
  file: WindowedFile,
  fast: boolean,
  selected: (name: string) => boolean,
  budget: PageBudget,
): ColumnReader[] {
  const rows = Number(group.num_rows)
  const tree = parquetSchema(metadata)
  const columns = tree.children.filter(({ element }) => selected(element.name))
  return columns.map(({ element, children }) => {
    const chunks = group.columns.flatMap(({ meta_data: meta }) =>
      meta?.path_in_schema[0] === element.name ? [meta] : [],
    )
    const meta = chunks[0]
    const flat = fast && meta && flatColumn(element, meta, children.length === 0)
    if (flat && meta) {
      const [start, end] = chunkRange(meta)
      const place = { column: element.name, rowGroup, start }
      const cursor = file.bytes(start, end).then((bytes) => new FlatCursor(bytes, flat, rows, place, budget))
      // awaited when the column is read; until then a failed read must not count as unhandled
      cursor.catch(() => undefined)
      return { cursor }
    }
    const walks = chunks.map(async (chunk) => {
      const [start, end] = chunkRange(chunk)
      const path = leafPath(tree, chunk.path_in_schema)!
      const leaf = path.at(-1)!.element
      const place: ChunkPlace = { column: element.name, rowGroup, start }
      if (chunk.path_in_schema.length > 1) place.leaf = chunk.path_in_schema.join('.')
      const column = { ...columnLevels(path), type: chunk.type, typeLength: leaf.type_length, codec: chunk.codec }
      const expected = { values: Number(chunk.num_values), rows, flat: isFlat(path) }
      checkChunk(await file.bytes(start, end), column, expected, place, budget)
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
      metadata: withStandardLists(this.footer.metadata),
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
        throw columnError(err, what, name, context)
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
  budget: PageBudget,
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
    const readers = groupReaders(metadata, group, index, file, decoder === 'fast', selected, budget)
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

export interface OpenOptions {
  /** the file's first 4 bytes, when the caller has read them already: saves a request */
  head?: Uint8Array
  /** the page limits every pass through the file is held to (see decode/budget.ts) */
  limits?: PageLimits
  /** bytes already counted against `limits.maxDecompressedBytes`: what a gzipped file inflated to */
  inflatedBytes?: number
}

/**
 * Opens a Parquet file through ranged reads: the footer first (usually one request for the last 64
 * KiB), then, batch by batch, each row group's column chunks. Throws FormatError when the input is
 * not Parquet or its footer is damaged, and UnsupportedError for encryption or an unknown codec.
 */
export async function openParquet(reader: RangeReader, options: OpenOptions = {}): Promise<ParquetInput> {
  const { size } = reader
  const tailStart = Math.max(0, size - TAIL_GUESS)
  const [head, guess] = await Promise.all([
    options.head ?? reader.read(0, Math.min(4, size)),
    reader.read(tailStart, size),
  ])
  const footerLength = checkEnvelope(size, head, guess)
  const tail = footerLength + 8 <= guess.byteLength ? guess : await reader.read(size - footerLength - 8, size)
  const footer = decodeFooterTail(size, tail)
  const file = new WindowedFile(reader)
  return {
    info: footer.info,
    batches: (batchOptions = {}) =>
      batches(footer, file, batchOptions, new PageBudget(options.limits, options.inflatedBytes)),
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
    yield { rowStart: batch.rowStart, rows: toRows(batch) }
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
