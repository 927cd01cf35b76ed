/**
 * One way in for every source format: tells Parquet, CSV and NDJSON (each optionally gzipped) apart
 * by magic bytes and key extension, and reads any of them as the same stream of row batches.
 */
import { FormatError, UnsupportedError } from '../../errors.js'
import type { JsonSchema } from '../dataset.js'
import { byteChunks, collect, gunzip, hasGzipSuffix, isGzip, stripGzipSuffix } from './compression.js'
import { type CsvDelimiter, readCsv } from './csv.js'
import { readNdjson } from './ndjson.js'
import { readParquet } from './parquet.js'
import type { RecordBatch } from './records.js'

export type { RecordBatch, RowReadError } from './records.js'

export type FileFormat = 'parquet' | 'csv' | 'ndjson'

export interface DetectedFormat {
  format: FileFormat
  compression: 'gzip' | 'none'
}

export interface ReadOptions {
  /** the dataset's row schema, which types CSV columns (other formats carry their own types) */
  schema?: JsonSchema
  /** decompression limit for gzip sources (default 2 GiB) */
  maxDecompressedBytes?: number
  /** rows per CSV/NDJSON batch (default 5000); Parquet batches are row groups */
  batchRows?: number
  /** the CSV field separator; default by the key (see `csvDelimiterOf`) */
  delimiter?: CsvDelimiter
}

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31] // "PAR1"

const EXTENSIONS: Array<[RegExp, FileFormat]> = [
  [/\.parquet$/i, 'parquet'],
  [/\.(csv|tsv)$/i, 'csv'],
  [/\.(ndjson|jsonl)$/i, 'ndjson'],
]

/** The separator a CSV file's name implies: tab for `.tsv` (gzipped or not), else comma. */
export function csvDelimiterOf(key: string): CsvDelimiter {
  return /\.tsv$/i.test(stripGzipSuffix(key)) ? '\t' : ','
}

function formatByName(name: string): FileFormat | undefined {
  return EXTENSIONS.find(([pattern]) => pattern.test(name))?.[1]
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b)
}

/**
 * The format of an object from its first bytes and its key. Magic numbers win over names: `PAR1` is
 * Parquet and the gzip magic means gzip whatever the key says; a gzip's inner format comes from the
 * key without `.gz`. Throws FormatError for a key ending in `.gz` whose bytes are not gzip, and
 * UnsupportedError (feature `file-format`) when neither bytes nor name tell the format.
 */
export function detectFormat(key: string, head: Uint8Array): DetectedFormat {
  if (startsWith(head, PARQUET_MAGIC)) return { format: 'parquet', compression: 'none' }
  const gzip = isGzip(head)
  if (!gzip && hasGzipSuffix(key)) {
    throw new FormatError(`${key} is named as gzip but is not gzip data (no gzip magic number)`)
  }
  const name = gzip ? stripGzipSuffix(key) : key
  const format = formatByName(name)
  if (!format) {
    throw new UnsupportedError(
      'file-format',
      `cannot tell the format of ${key}: not Parquet by its bytes, and the name does not end in .parquet, .csv, .tsv, .ndjson or .jsonl${gzip ? ' before .gz' : ''}`,
    )
  }
  return { format, compression: gzip ? 'gzip' : 'none' }
}

/**
 * Reads a whole source object as row batches, whatever its format (see `detectFormat`). Throws like
 * the format's reader: FormatError, UnsupportedError, and LimitError when a gzip inflates past the
 * decompression limit or a text record is too long. Per-record problems come back as `rowErrors`.
 */
export async function* readRecords(
  key: string,
  bytes: Uint8Array,
  options: ReadOptions = {},
): AsyncGenerator<RecordBatch, void, undefined> {
  const { format, compression } = detectFormat(key, bytes)
  const inflate = () => gunzip(byteChunks(bytes), { maxBytes: options.maxDecompressedBytes })
  if (format === 'parquet') {
    yield* readParquet(compression === 'gzip' ? await collect(inflate()) : bytes)
    return
  }
  const text = compression === 'gzip' ? inflate() : bytes
  const textOptions = { batchRows: options.batchRows }
  const delimiter = options.delimiter ?? csvDelimiterOf(key)
  yield* format === 'csv'
    ? readCsv(text, { ...textOptions, schema: options.schema, delimiter })
    : readNdjson(text, textOptions)
}

/** The zero-based index of each of `batch.rows`: the batch's record indices less those of its row errors. */
export function rowIndexes(batch: RecordBatch): number[] {
  const failed = new Set(batch.rowErrors?.map((error) => error.row))
  const indexes: number[] = []
  for (let index = batch.rowStart; indexes.length < batch.rows.length; index++) {
    if (!failed.has(index)) indexes.push(index)
  }
  return indexes
}
