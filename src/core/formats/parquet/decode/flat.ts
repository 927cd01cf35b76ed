/**
 * A fast path for the column chunks most files are made of: top-level columns of plain types
 * (booleans, integers, floats, UTF-8 text, dates, timestamps) in PLAIN or dictionary encoding,
 * version 1 or 2 data pages. hyparquet decodes these through its general nested-data machinery,
 * which allocates several arrays and an object per value; this decodes straight into one array per
 * column. It gives exactly the values hyparquet gives (the differential tests in parquet.test.ts
 * hold it to that); any other column is left to hyparquet.
 */
import type { ColumnMetaData, CompressionCodec, Compressors, PageHeader, SchemaElement } from 'hyparquet'
import { parquetHeader } from 'hyparquet/src/column.js'
import { decompressPage } from 'hyparquet/src/datapage.js'
import { FormatError } from '../../../../errors.js'
import { PARSERS } from '../values.js'
import { PageReader, readHybrid, readPlainBooleans, readPlainStrings } from './pages.js'

/** What a flat column's values become. */
type Kind = 'boolean' | 'int32' | 'date' | 'int64' | 'millis' | 'micros' | 'nanos' | 'float' | 'double' | 'string'

/** value encodings handled here, and RLE, which levels (and booleans) use */
const DATA_ENCODINGS = new Set(['PLAIN', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY', 'RLE'])
/** a page header claiming more than this is damaged, not big */
const MAX_PAGE_BYTES = 1 << 30
const DATE_LIMIT_MS = 8.64e15

function kindOf(element: SchemaElement): Kind | undefined {
  const converted = element.converted_type
  const logical = element.logical_type
  switch (element.type) {
    case 'BOOLEAN':
      return converted || logical ? undefined : 'boolean'
    case 'FLOAT':
      return converted || logical ? undefined : 'float'
    case 'DOUBLE':
      return converted || logical ? undefined : 'double'
    case 'BYTE_ARRAY':
      return (converted === undefined || converted === 'UTF8') && (logical === undefined || logical.type === 'STRING')
        ? 'string'
        : undefined
    case 'INT32':
      if (converted === 'DATE' || logical?.type === 'DATE') return 'date'
      if (converted !== undefined && converted !== 'INT_8' && converted !== 'INT_16' && converted !== 'INT_32') return
      if (logical !== undefined && !(logical.type === 'INTEGER' && logical.isSigned)) return
      return 'int32'
    case 'INT64': {
      if (logical?.type === 'TIMESTAMP')
        return logical.unit === 'MILLIS' ? 'millis' : logical.unit === 'MICROS' ? 'micros' : 'nanos'
      if (converted === 'TIMESTAMP_MILLIS') return 'millis'
      if (converted === 'TIMESTAMP_MICROS') return 'micros'
      if (converted !== undefined && converted !== 'INT_64') return
      if (logical !== undefined && !(logical.type === 'INTEGER' && logical.isSigned)) return
      return 'int64'
    }
    default:
      return undefined
  }
}

/** A column chunk the fast path can decode. */
export interface FlatColumn {
  kind: Kind
  required: boolean
  codec: CompressionCodec
}

/**
 * The fast-path description of a top-level column, or undefined when hyparquet must decode it
 * (nested or repeated columns, other types and annotations, delta or split encodings).
 */
export function flatColumn(element: SchemaElement, meta: ColumnMetaData, leaf: boolean): FlatColumn | undefined {
  if (!leaf || element.repetition_type === 'REPEATED' || meta.path_in_schema.length !== 1) return undefined
  const kind = kindOf(element)
  if (!kind || !meta.encodings.every((encoding) => DATA_ENCODINGS.has(encoding))) return undefined
  return { kind, required: element.repetition_type === 'REQUIRED', codec: meta.codec }
}

/** Reads one value of `kind` at the reader, as hyparquet (with Ferry's PARSERS) gives it. */
function plainValues(reader: PageReader, kind: Kind, count: number, out: unknown[], at: number): void {
  if (kind === 'string') {
    readPlainStrings(reader, count, out, at)
    return
  }
  if (kind === 'boolean') {
    readPlainBooleans(reader, count, out, at)
    return
  }
  const width = kind === 'int32' || kind === 'date' || kind === 'float' ? 4 : 8
  reader.need(count * width)
  const { view } = reader
  let offset = reader.offset
  for (let i = 0; i < count; i++, offset += width) {
    switch (kind) {
      case 'int32':
        out[at + i] = view.getInt32(offset, true)
        break
      case 'date':
        out[at + i] = PARSERS.dateFromDays!(view.getInt32(offset, true))
        break
      case 'float':
        out[at + i] = view.getFloat32(offset, true)
        break
      case 'double':
        out[at + i] = view.getFloat64(offset, true)
        break
      case 'millis': {
        // the common case without a BigInt: exact while the count fits 53 bits, as every Date does
        const millis = view.getInt32(offset + 4, true) * 4_294_967_296 + view.getUint32(offset, true)
        out[at + i] =
          millis >= -DATE_LIMIT_MS && millis <= DATE_LIMIT_MS
            ? new Date(millis)
            : PARSERS.timestampFromMilliseconds!(view.getBigInt64(offset, true))
        break
      }
      case 'micros':
        out[at + i] = PARSERS.timestampFromMicroseconds!(view.getBigInt64(offset, true))
        break
      case 'nanos':
        out[at + i] = PARSERS.timestampFromNanoseconds!(view.getBigInt64(offset, true))
        break
      default:
        out[at + i] = view.getBigInt64(offset, true)
    }
  }
  reader.offset = offset
}

function checkHeader(header: PageHeader, reader: PageReader): void {
  const { compressed_page_size: compressed, uncompressed_page_size: uncompressed } = header
  if (
    !Number.isSafeInteger(compressed) ||
    !Number.isSafeInteger(uncompressed) ||
    compressed < 0 ||
    uncompressed < 0 ||
    uncompressed > MAX_PAGE_BYTES
  ) {
    throw new FormatError(`damaged page header (sizes ${compressed} and ${uncompressed})`)
  }
  reader.need(compressed)
}

function count(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw new FormatError(`damaged page header (${what} ${value})`)
  return value as number
}

interface DataPage {
  values: number
  encoding: string
  /** definition levels, 1 = present; undefined when every value is present */
  defined: Uint8Array | undefined
  present: number
  body: PageReader
}

/** Splits a data page into its levels and its (decompressed) values. */
function dataPage(header: PageHeader, raw: Uint8Array, column: FlatColumn, compressors: Compressors): DataPage {
  const v1 = header.data_page_header
  const v2 = header.data_page_header_v2
  if (v1) {
    const values = count(v1.num_values, 'value count')
    const page = new PageReader(decompressPage(raw, header.uncompressed_page_size, column.codec, compressors))
    let defined: Uint8Array | undefined
    let present = values
    if (!column.required) {
      page.need(4)
      const length = page.view.getUint32(page.offset, true)
      page.offset += 4
      page.need(length)
      defined = new Uint8Array(values)
      readHybrid(new PageReader(page.bytes, page.offset, page.offset + length), 1, defined, 0, values)
      page.offset += length
      present = 0
      for (let i = 0; i < values; i++) present += defined[i]!
    }
    return { values, encoding: v1.encoding, defined, present, body: page }
  }
  if (!v2) throw new FormatError(`unexpected ${header.type} page in a column chunk`)
  const values = count(v2.num_values, 'value count')
  const levels =
    count(v2.definition_levels_byte_length, 'level bytes') + count(v2.repetition_levels_byte_length, 'level bytes')
  if (levels > raw.length) throw new FormatError('damaged page header (levels beyond the page)')
  let defined: Uint8Array | undefined
  let present = values
  if (!column.required) {
    defined = new Uint8Array(values)
    const start = v2.repetition_levels_byte_length
    readHybrid(new PageReader(raw, start, start + v2.definition_levels_byte_length), 1, defined, 0, values)
    present = 0
    for (let i = 0; i < values; i++) present += defined[i]!
  }
  const rest = raw.subarray(levels)
  const body =
    v2.is_compressed === false
      ? rest
      : decompressPage(rest, header.uncompressed_page_size - levels, column.codec, compressors)
  return { values, encoding: v2.encoding, defined, present, body: new PageReader(body) }
}

/** Values of a dictionary-encoded page: indices into the dictionary. */
function dictionaryValues(page: DataPage, dictionary: unknown[], out: unknown[], at: number): void {
  const { body, present } = page
  body.need(1)
  const bitWidth = body.bytes[body.offset++]!
  const indices = new Int32Array(present)
  readHybrid(body, bitWidth, indices, 0, present)
  for (let i = 0; i < present; i++) {
    const index = indices[i]!
    if (index >= dictionary.length)
      throw new FormatError(`dictionary index ${index} beyond ${dictionary.length} entries`)
    out[at + i] = dictionary[index]
  }
}

/**
 * Decodes rows `[from, to)` of a column chunk holding `rows` rows (`chunk` is its bytes, dictionary
 * page first if any) into an array with null for absent values. Throws FormatError for damaged data.
 */
export function decodeFlatColumn(
  chunk: Uint8Array,
  column: FlatColumn,
  rows: number,
  from: number,
  to: number,
  compressors: Compressors,
): unknown[] {
  const out = new Array<unknown>(to - from)
  const reader = new PageReader(chunk)
  let dictionary: unknown[] | undefined
  let row = 0
  while (row < to) {
    if (reader.offset >= reader.end) throw new FormatError(`column chunk ends after ${row} of ${rows} rows`)
    let header: PageHeader
    try {
      header = parquetHeader(reader)
    } catch (err) {
      throw new FormatError(`damaged page header: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
    checkHeader(header, reader)
    const raw = chunk.subarray(reader.offset, reader.offset + header.compressed_page_size)
    reader.offset += header.compressed_page_size
    if (header.type === 'DICTIONARY_PAGE') {
      const entries = count(header.dictionary_page_header?.num_values, 'dictionary size')
      const page = new PageReader(decompressPage(raw, header.uncompressed_page_size, column.codec, compressors))
      dictionary = new Array(entries)
      plainValues(page, column.kind, entries, dictionary, 0)
      continue
    }
    if (header.type !== 'DATA_PAGE' && header.type !== 'DATA_PAGE_V2') continue
    const values = count(header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values, 'value count')
    if (row + values > rows) throw new FormatError(`pages hold more than the row group's ${rows} rows`)
    // pages wholly before the wanted rows are skipped without decompressing them
    if (row + values <= from) {
      row += values
      continue
    }
    const page = dataPage(header, raw, column, compressors)
    // a page of the wanted rows without nulls decodes straight into the result
    const direct = !page.defined && row >= from && row + values <= to
    const present = direct ? out : new Array<unknown>(page.present)
    const at = direct ? row - from : 0
    if (page.encoding === 'PLAIN') {
      plainValues(page.body, column.kind, page.present, present, at)
    } else if (page.encoding === 'RLE' && column.kind === 'boolean') {
      const bits = new Uint8Array(page.present)
      page.body.need(4)
      const start = page.body.offset + 4
      readHybrid(
        new PageReader(page.body.bytes, start, start + page.body.view.getUint32(page.body.offset, true)),
        1,
        bits,
        0,
        page.present,
      )
      for (let i = 0; i < page.present; i++) present[at + i] = bits[i] === 1
    } else if (page.encoding.endsWith('_DICTIONARY') && dictionary) {
      dictionaryValues(page, dictionary, present, at)
    } else {
      throw new FormatError(
        `${page.encoding} page ${dictionary ? '' : 'without a dictionary page '}in a ${column.kind} column`,
      )
    }
    if (direct) {
      row += values
      continue
    }
    let next = 0
    for (let i = 0; i < values; i++, row++) {
      const value = page.defined && !page.defined[i] ? null : present[next++]
      if (row >= from && row < to) out[row - from] = value
    }
  }
  return out
}
