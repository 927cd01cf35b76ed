import { type FileMetaData, parquetMetadata, parquetSchema, type SchemaElement } from 'hyparquet'
import { ParquetTypes } from 'hyparquet/src/constants.js'
import { FerryError, FormatError, UnsupportedError } from '../../../errors.js'
import { isoDateFromDays, isoTimestamp } from '../../temporal.js'
import { checkLayout } from './layout.js'
import { checkSchema } from './schema.js'
import { FILE_META_DATA, parseFailure, readStruct, shapeProblem } from './thrift.js'

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
 * How footer statistics are rendered: as text, which never throws, whatever a damaged statistic
 * holds (the reader's own PARSERS refuse some values, which would refuse a file for a statistic).
 */
const FOOTER_PARSERS = {
  timestampFromMilliseconds: (millis: bigint) => isoTimestamp(millis, 'ms'),
  timestampFromMicroseconds: (micros: bigint) => isoTimestamp(micros, 'us'),
  timestampFromNanoseconds: (nanos: bigint) => isoTimestamp(nanos, 'ns'),
  dateFromDays: (days: number) => isoDateFromDays(days),
}

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

function footerError(problem: string, cause?: unknown): FormatError {
  return new FormatError(`corrupt Parquet footer: ${problem}`, { cause })
}

/**
 * Checks what hyparquet's metadata mapping reads without looking: statistics it reads as 4- or
 * 8-byte numbers, the leaf its statistics are matched to by position, its GeoParquet JSON.
 */
function checkRaw(raw: Record<string, unknown>): void {
  const schema = raw.field_2 as Array<Record<string, unknown>>
  const leafTypes = schema.map((element) => ParquetTypes[element.field_1 as number]).filter((type) => type)
  const groups = raw.field_4 as Array<Record<string, unknown>>
  for (const [g, group] of groups.entries()) {
    const chunks = group.field_1 as Array<Record<string, Record<string, unknown> | undefined>>
    if (chunks.length !== leafTypes.length) {
      throw footerError(
        `row group ${g} has ${chunks.length} column chunks, the schema ${leafTypes.length} leaf columns`,
      )
    }
    for (const [c, chunk] of chunks.entries()) {
      const width = { INT32: 4, INT64: 8 }[leafTypes[c] as string]
      const statistics = chunk.field_3?.field_12 as Record<string, Uint8Array | undefined> | undefined
      for (const bound of [statistics?.field_1, statistics?.field_2, statistics?.field_5, statistics?.field_6]) {
        if (width && bound && bound.length !== width) {
          throw footerError(
            `row group ${g}, column chunk ${c}: a ${bound.length}-byte statistic of a ${leafTypes[c]} column`,
          )
        }
      }
    }
  }
  const pairs = (raw.field_5 as Array<Record<string, Uint8Array | undefined>> | undefined) ?? []
  const geo = pairs.find((pair) => new TextDecoder().decode(pair.field_1) === 'geo')?.field_2
  if (geo) {
    try {
      const columns = JSON.parse(new TextDecoder().decode(geo))?.columns ?? {}
      for (const column of Object.values(columns) as Array<{
        crs?: { id?: { code?: unknown }; ids?: Array<{ code?: unknown }> }
      }>) {
        const id = column?.crs?.id ?? column?.crs?.ids?.[0]
        if (id && (id.code === undefined || id.code === null)) throw new Error('a CRS id without a code')
      }
    } catch (err) {
      throw footerError('its GeoParquet metadata (key "geo") is not valid', err)
    }
  }
}

/**
 * The metadata of a footer: `tail` ends with the Thrift metadata, its length and the magic. Every
 * field hyparquet's mapping relies on is checked, and the schema's tree. Throws FormatError.
 */
export function parseFooter(tail: Uint8Array): FileMetaData {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength)
  const metadataEnd = tail.byteLength - 8
  const reader = { view, offset: metadataEnd - view.getUint32(metadataEnd, true) }
  let raw: Record<string, unknown>
  try {
    raw = readStruct(reader)
  } catch (err) {
    throw footerError(`the metadata does not parse: ${parseFailure(err)}`, err)
  }
  if (reader.offset > metadataEnd) throw footerError('the metadata does not parse: it runs past its end')
  const problem = shapeProblem(raw, FILE_META_DATA, 'metadata')
  if (problem) throw footerError(problem)
  checkRaw(raw)
  let metadata: FileMetaData
  try {
    metadata = parquetMetadata(tail, { parsers: FOOTER_PARSERS })
  } catch (err) {
    throw footerError('the metadata does not decode', err)
  }
  checkSchema(metadata.schema)
  return metadata
}

/** The top-level columns of checked metadata. */
export function describeColumns(metadata: FileMetaData): ColumnInfo[] {
  return parquetSchema(metadata).children.map(({ element, children }) => ({
    name: element.name,
    physicalType: children.length > 0 ? 'GROUP' : (element.type ?? 'GROUP'),
    logicalType: describeLogicalType(element),
    nullable: element.repetition_type !== 'REQUIRED',
  }))
}

function describeFile(metadata: FileMetaData): ParquetFileInfo {
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
    columns: describeColumns(metadata),
    codecs: [...codecs].sort(),
    createdBy: metadata.created_by,
  }
}

/**
 * Decodes and sanity-checks the footer of a file of `size` bytes whose envelope `checkEnvelope` has
 * passed. `tail` must end with the whole footer, its length and the closing magic. Throws like
 * `decodeFooter`.
 */
export function decodeFooterTail(size: number, tail: Uint8Array): DecodedFooter {
  const metadata = parseFooter(tail)
  let info: ParquetFileInfo
  try {
    checkLayout(metadata, size)
    info = describeFile(metadata)
  } catch (err) {
    if (err instanceof FerryError) throw err
    throw footerError('the metadata does not describe a readable file', err)
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
