import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { type Compressors, type FileMetaData, parquetMetadata, parquetSchema, type SchemaElement } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { FerryError, FormatError, UnsupportedError } from '../../../errors.js'
import { PARSERS } from './values.js'

/** A top-level column of a Parquet file as readers and logs need it. */
export interface ColumnInfo {
  name: string
  /** physical type (`INT64`, `BYTE_ARRAY`...), or `GROUP` for a struct, list or map */
  physicalType: string
  /** logical annotation, e.g. `STRING`, `DATE`, `TIMESTAMP(MILLIS,UTC)`, `DECIMAL(10,2)`, `LIST` */
  logicalType?: string
  nullable: boolean
}

export interface ParquetFileInfo {
  rows: number
  rowGroups: Array<{ rows: number; compressedBytes: number }>
  columns: ColumnInfo[]
  /** compression codecs used by the column chunks, sorted */
  codecs: string[]
  createdBy?: string
}

export interface DecodedFooter {
  metadata: FileMetaData
  info: ParquetFileInfo
}

const MAGIC = 0x31524150 // "PAR1" read little-endian
const ENCRYPTED_MAGIC = 0x45524150 // "PARE": encrypted footer
/** 4-byte header magic + 4-byte footer length + 4-byte footer magic */
const MIN_FILE_BYTES = 12

/**
 * Every codec of the Parquet spec but LZO, which has no JavaScript decoder. hyparquet-compressors
 * supplies ZSTD, LZ4 and LZ4_RAW, and SNAPPY through hysnappy's WASM (about 3.5x hyparquet's own JS
 * decoder). GZIP and BROTLI stay on Node's zlib, 4-10x faster than the package's JS ports, capped at
 * the page's declared size so a crafted page cannot inflate past it (zlib refuses a cap of 0).
 */
export const COMPRESSORS: Compressors = {
  ...compressors,
  GZIP: (input, outputLength) => gunzipSync(input, { maxOutputLength: Math.max(1, outputLength) }),
  BROTLI: (input, outputLength) => brotliDecompressSync(input, { maxOutputLength: Math.max(1, outputLength) }),
}
const READABLE_CODECS = new Set(['UNCOMPRESSED', ...Object.keys(COMPRESSORS)])

/** A column's logical annotation as Ferry shows it: `TIMESTAMP(MILLIS,UTC)`, `DECIMAL(10,2)`, `STRING`... */
export function describeLogicalType(element: SchemaElement): string | undefined {
  const logical = element.logical_type
  if (logical?.type === 'TIMESTAMP' || logical?.type === 'TIME') {
    return `${logical.type}(${logical.unit},${logical.isAdjustedToUTC ? 'UTC' : 'local'})`
  }
  if (logical?.type === 'DECIMAL') return `DECIMAL(${logical.precision},${logical.scale})`
  if (logical?.type === 'INTEGER') return `INTEGER(${logical.bitWidth},${logical.isSigned ? 'signed' : 'unsigned'})`
  if (logical) return logical.type
  if (element.converted_type === 'DECIMAL') return `DECIMAL(${element.precision},${element.scale})`
  return element.converted_type
}

/**
 * Checks the magic numbers first so garbage and truncated uploads get a message that says which, and
 * returns the footer length. `head` holds the file's first bytes and `tail` its last (at least 8 of
 * each when the file has them): a ranged reader need not fetch anything else to tell.
 */
export function checkEnvelope(size: number, head: Uint8Array, tail: Uint8Array): number {
  if (size === 0) throw new FormatError('not a Parquet file: the input is empty (0 bytes)')
  if (size < MIN_FILE_BYTES) {
    throw new FormatError(`not a Parquet file: only ${size} bytes, too short for a header and footer`)
  }
  const headMagic = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0, true)
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength)
  const tailMagic = view.getUint32(tail.byteLength - 4, true)
  if (tailMagic === ENCRYPTED_MAGIC)
    throw new UnsupportedError('parquet-encryption', 'encrypted Parquet files are not supported')
  if (headMagic !== MAGIC && tailMagic !== MAGIC) {
    throw new FormatError('not a Parquet file: bad magic (no PAR1 at the start or the end)')
  }
  if (tailMagic !== MAGIC) {
    throw new FormatError(`truncated Parquet file: footer magic PAR1 missing at the end (${size} bytes)`)
  }
  if (headMagic !== MAGIC) throw new FormatError('corrupt Parquet file: header magic PAR1 missing at the start')
  const footerLength = view.getUint32(tail.byteLength - 8, true)
  if (footerLength > size - MIN_FILE_BYTES) {
    throw new FormatError(
      `truncated or corrupt Parquet file: footer claims ${footerLength} bytes but the file has ${size}`,
    )
  }
  return footerLength
}

/** Catches footers that decode but describe data the file does not hold. */
function checkLayout(metadata: FileMetaData, byteLength: number): void {
  const dataEnd = byteLength - 8 - metadata.metadata_length
  let groupRows = 0n
  for (const [index, group] of metadata.row_groups.entries()) {
    groupRows += group.num_rows
    for (const chunk of group.columns) {
      const meta = chunk.meta_data
      const path = meta?.path_in_schema.join('.') ?? '?'
      if (chunk.crypto_metadata || chunk.encrypted_column_metadata) {
        throw new UnsupportedError(
          'parquet-encryption',
          `column ${path} is encrypted; encrypted columns are not supported`,
        )
      }
      if (!meta) throw new FormatError(`corrupt Parquet footer: row group ${index} has a column chunk without metadata`)
      if (!READABLE_CODECS.has(meta.codec)) {
        throw new UnsupportedError(
          `parquet-codec-${meta.codec.toLowerCase()}`,
          `column ${path} uses ${meta.codec} compression; Ferry reads ${[...READABLE_CODECS].join(', ')}`,
        )
      }
      // some writers store 0 for "no dictionary"; hyparquet reads those from the data page, and so do we
      const start = meta.dictionary_page_offset || meta.data_page_offset
      if (start < 4n || start + meta.total_compressed_size > BigInt(dataEnd)) {
        throw new FormatError(`corrupt Parquet footer: column ${path} in row group ${index} points outside the file`)
      }
    }
  }
  if (groupRows !== metadata.num_rows) {
    throw new FormatError(
      `corrupt Parquet footer: row groups hold ${groupRows} rows but the footer says ${metadata.num_rows}`,
    )
  }
}

function describeFile(metadata: FileMetaData): ParquetFileInfo {
  const columns = parquetSchema(metadata).children.map(({ element, children }) => ({
    name: element.name,
    physicalType: children.length > 0 ? 'GROUP' : (element.type ?? 'GROUP'),
    logicalType: describeLogicalType(element),
    nullable: element.repetition_type !== 'REQUIRED',
  }))
  const codecs = new Set(metadata.row_groups.flatMap((group) => group.columns.map((chunk) => chunk.meta_data!.codec)))
  return {
    rows: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.map((group) => ({
      rows: Number(group.num_rows),
      compressedBytes: Number(
        group.total_compressed_size ??
          group.columns.reduce((sum, chunk) => sum + (chunk.meta_data?.total_compressed_size ?? 0n), 0n),
      ),
    })),
    columns,
    codecs: [...codecs].sort(),
    createdBy: metadata.created_by,
  }
}

/**
 * Decodes and sanity-checks the footer of a file of `size` bytes whose envelope `checkEnvelope` has
 * passed. `tail` must end with the whole footer, its length and the closing magic. Throws like
 * `decodeFooter`.
 */
/**
 * A footer that does not decode. The decoder's own words are kept, but a JavaScript TypeError (a
 * field of the wrong shape) says nothing to the reader of a dead letter, so it is named for what it is.
 */
function footerError(err: unknown): FormatError {
  const reason = err instanceof Error ? err.message : String(err)
  const what = err instanceof TypeError ? `the metadata is malformed (${reason})` : reason
  return new FormatError(`corrupt Parquet footer: ${what}`, { cause: err })
}

export function decodeFooterTail(size: number, tail: Uint8Array): DecodedFooter {
  let metadata: FileMetaData
  try {
    metadata = parquetMetadata(tail, { parsers: PARSERS })
  } catch (err) {
    throw footerError(err)
  }
  // A garbage footer can decode into a shapeless object rather than throw; these fields are what we rely on.
  if (!Array.isArray(metadata.schema) || metadata.schema.length === 0 || !Array.isArray(metadata.row_groups)) {
    throw new FormatError('corrupt Parquet footer: no schema or row groups')
  }
  let info: ParquetFileInfo
  try {
    checkLayout(metadata, size)
    info = describeFile(metadata)
  } catch (err) {
    if (err instanceof FerryError) throw err
    throw footerError(err)
  }
  if (info.columns.some((column) => column.name === '__proto__')) {
    throw new UnsupportedError(
      'parquet-column-name',
      'a column named __proto__ cannot be represented as a row property',
    )
  }
  return { metadata, info }
}

/**
 * Decodes and sanity-checks the footer. Throws FormatError for anything that is not a well-formed
 * Parquet file and UnsupportedError for valid files using features Ferry cannot read.
 */
export function decodeFooter(bytes: Uint8Array): DecodedFooter {
  checkEnvelope(bytes.byteLength, bytes, bytes)
  return decodeFooterTail(bytes.byteLength, bytes)
}
