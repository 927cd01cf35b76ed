/**
 * The engine's view of a source in any format (see formats/detect.ts): batches of decoded columns,
 * and the records before each batch that could not be read. Parquet is read by range, footer first;
 * CSV and NDJSON stream through in a few thousand rows at a time, so no format holds a whole file's
 * rows; a gzipped Parquet file is the exception: Parquet needs random access, so it is inflated into
 * memory, bounded by the decompression limit.
 */
import type { JsonSchema, Row } from '../dataset.js'
import { collect, gunzip } from '../formats/compression.js'
import { type CsvDelimiter, readCsv } from '../formats/csv.js'
import { csvDelimiterOf, type DetectedFormat, detectFormat } from '../formats/detect.js'
import { readNdjson } from '../formats/ndjson.js'
import {
  type BatchOptions,
  bytesReader,
  type ColumnBatch,
  type ColumnInfo,
  openParquet,
  type ParquetFileInfo,
  type ParquetInput,
  type RangeReader,
} from '../formats/parquet.js'
import { type RecordBatch, type RowReadError, TEXT_COLUMN_TYPE } from '../formats/records.js'
import { type EngineLimits, overLimit } from './limits.js'

/** What the source turned out to be: its format, and its footer (Parquet) or what reading it showed. */
export interface SourceInfo extends ParquetFileInfo, DetectedFormat {}

export interface SourceBatch {
  /** records that could not be read, in file order, all before the first of `rows` */
  unreadable: RowReadError[]
  /** may be empty when a batch held only unreadable records */
  rows: ColumnBatch
}

export interface EngineInput {
  /** complete once `batches` is exhausted: text formats count rows and find columns as they go */
  readonly info: SourceInfo
  batches(options: BatchOptions): AsyncGenerator<SourceBatch, void, undefined>
}

export interface InputOptions {
  /** the object's key, which names the format of text sources (Parquet is told by its bytes) */
  key?: string
  /** types CSV columns */
  schema: JsonSchema
  /** the dataset's CSV separator, if it sets one; else the key's (see `csvDelimiterOf`) */
  delimiter?: CsvDelimiter
  limits: EngineLimits
}

/**
 * Text sources are pulled a range at a time: large enough that an S3 or GCS GET is not mostly
 * latency, small enough not to matter beside the batch being processed.
 */
const TEXT_RANGE_BYTES = 4 * 1024 * 1024
/** Column names a text source reports, at most: a file with a new key on every line is drift enough. */
const MAX_REPORTED_COLUMNS = 1000

async function* rangeChunks(reader: RangeReader): AsyncGenerator<Uint8Array, void, undefined> {
  for (let start = 0; start < reader.size; start += TEXT_RANGE_BYTES) {
    yield reader.read(start, Math.min(start + TEXT_RANGE_BYTES, reader.size))
  }
}

/**
 * Opens a source in whatever format its bytes and key say. Throws FormatError or UnsupportedError
 * when it cannot be read at all, and LimitError when it is over the size or row limits.
 */
export async function openSource(reader: RangeReader, options: InputOptions): Promise<EngineInput> {
  const { limits } = options
  if (limits.maxObjectBytes !== undefined && reader.size > limits.maxObjectBytes) {
    throw overLimit(
      'maxObjectBytes',
      `the object is ${reader.size} bytes, over the ${limits.maxObjectBytes}-byte limit`,
      {
        size: reader.size,
        maxObjectBytes: limits.maxObjectBytes,
      },
    )
  }
  const head = await reader.read(0, Math.min(4, reader.size))
  const detected = detectFormat(options.key ?? '', head)
  const inflate = () => gunzip(rangeChunks(reader), { maxBytes: limits.maxDecompressedBytes })
  if (detected.format === 'parquet') {
    // what the pages declare uncompressed counts against the decompression limit too
    const pageLimits = { maxPageBytes: limits.maxPageBytes, maxDecompressedBytes: limits.maxDecompressedBytes }
    if (detected.compression === 'none') {
      return parquetInput(await openParquet(reader, { head, limits: pageLimits }), detected, limits)
    }
    const inflated = await collect(inflate())
    const parquet = await openParquet(bytesReader(inflated), { limits: pageLimits, inflatedBytes: inflated.byteLength })
    return parquetInput(parquet, detected, limits)
  }
  return textInput(detected, detected.compression === 'gzip' ? inflate() : rangeChunks(reader), options)
}

function parquetInput(parquet: ParquetInput, detected: DetectedFormat, limits: EngineLimits): EngineInput {
  const { rows } = parquet.info
  if (limits.maxRowsPerFile !== undefined && rows > limits.maxRowsPerFile) {
    throw overLimit('maxRowsPerFile', `the file has ${rows} rows, over the ${limits.maxRowsPerFile}-row limit`, {
      rows,
      maxRowsPerFile: limits.maxRowsPerFile,
    })
  }
  const info: SourceInfo = { ...parquet.info, ...detected }
  return {
    info,
    async *batches(options) {
      for await (const rows of parquet.batches(options)) yield { unreadable: [], rows }
    },
  }
}

function textInput(detected: DetectedFormat, bytes: AsyncIterable<Uint8Array>, options: InputOptions): EngineInput {
  const { limits } = options
  const names = new Set<string>()
  const info: SourceInfo = {
    ...detected,
    rows: 0,
    rowGroups: [],
    columns: [],
    codecs: detected.compression === 'gzip' ? ['GZIP'] : [],
  }
  const note = (name: string) => {
    if (names.size < MAX_REPORTED_COLUMNS && !names.has(name)) {
      names.add(name)
      info.columns.push(textColumn(name))
    }
  }
  return {
    info,
    async *batches({ maxRows }) {
      const delimiter = options.delimiter ?? csvDelimiterOf(options.key ?? '')
      const readerOptions = { batchRows: maxRows, maxRecordBytes: limits.maxRowBytes }
      const records =
        detected.format === 'csv'
          ? readCsv(bytes, { ...readerOptions, schema: options.schema, delimiter })
          : readNdjson(bytes, readerOptions)
      for await (const batch of records) {
        const count = batch.rows.length + (batch.rowErrors?.length ?? 0)
        info.rows += count
        if (limits.maxRowsPerFile !== undefined && info.rows > limits.maxRowsPerFile) {
          throw overLimit('maxRowsPerFile', `the file has more than ${limits.maxRowsPerFile} records`, {
            maxRowsPerFile: limits.maxRowsPerFile,
          })
        }
        for (const name of batch.header ?? []) note(name)
        yield* runs(batch, note)
      }
    },
  }
}

function textColumn(name: string): ColumnInfo {
  return { name, physicalType: TEXT_COLUMN_TYPE, nullable: true }
}

/**
 * A text batch as runs of consecutive readable records, each with the unreadable records just
 * before it, so rejected and unreadable records reach the quarantine in file order.
 */
function* runs(batch: RecordBatch, note: (name: string) => void): Generator<SourceBatch> {
  const errors = batch.rowErrors ?? []
  let next = 0 // the next row of batch.rows
  let record = batch.rowStart
  let e = 0
  while (next < batch.rows.length || e < errors.length) {
    const unreadable: RowReadError[] = []
    while (e < errors.length && errors[e]!.row === record) {
      unreadable.push(errors[e++]!)
      record++
    }
    const until = e < errors.length ? errors[e]!.row : Number.POSITIVE_INFINITY
    const length = Math.min(batch.rows.length - next, until - record)
    yield { unreadable, rows: columnsOf(batch.rows, next, length, record, note) }
    next += length
    record += length
  }
}

/** Rows [from, from + length) as columns: one per property any of them has, null where a row lacks it. */
function columnsOf(rows: Row[], from: number, length: number, rowStart: number, note: (name: string) => void) {
  // no prototype, so a property named __proto__ is a column like any other
  const columns: Record<string, unknown[]> = Object.create(null)
  for (let r = 0; r < length; r++) {
    const row = rows[from + r]!
    for (const name of Object.keys(row)) {
      let column = columns[name]
      if (!column) {
        column = new Array<unknown>(length).fill(null)
        columns[name] = column
        note(name)
      }
      column[r] = row[name]
    }
  }
  return { rowStart, length, columns } as ColumnBatch
}
