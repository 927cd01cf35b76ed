/**
 * A fast path for the column chunks most files are made of: top-level columns of plain types
 * (booleans, integers, floats, UTF-8 text, dates, timestamps) in PLAIN or dictionary encoding,
 * version 1 or 2 data pages, read a batch at a time (FlatCursor). hyparquet decodes these through its general nested-data machinery,
 * which allocates several arrays and an object per value; this decodes straight into one array per
 * column and batch. It gives exactly the values hyparquet gives (the differential tests in
 * test/unit/core/formats/parquet/decode.test.ts hold it to that); any other column is left to hyparquet.
 */
import type { ColumnMetaData, CompressionCodec, Compressors, PageHeader, SchemaElement } from 'hyparquet'
import { parquetHeader } from 'hyparquet/src/column.js'
import { decompressPage } from 'hyparquet/src/datapage.js'
import { FormatError } from '../../../../errors.js'
import { PARSERS } from '../values.js'
import { type ChunkPlace, checkPage } from './checksum.js'
import { PageReader, readHybrid, readPlainBooleans, readPlainStrings } from './pages.js'

/** What a flat column's values become. */
type Kind = 'boolean' | 'int32' | 'date' | 'int64' | 'millis' | 'micros' | 'nanos' | 'float' | 'double' | 'string'

/** value encodings handled here, and RLE, which levels (and booleans) use */
const DATA_ENCODINGS = new Set(['PLAIN', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY', 'RLE'])
/** a page header claiming more than this is damaged, not big */
const MAX_PAGE_BYTES = 1 << 30
const DATE_LIMIT_MS = 8.64e15

function signedOrNone(logical: SchemaElement['logical_type']): boolean {
  return logical === undefined || (logical.type === 'INTEGER' && logical.isSigned)
}

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
    // hyparquet converts by the converted type first and reads the logical type only without one;
    // combinations it treats otherwise are left to it
    case 'INT32':
      if (converted === 'DATE') return 'date'
      if (converted !== undefined && converted !== 'INT_8' && converted !== 'INT_16' && converted !== 'INT_32') return
      return signedOrNone(logical) ? 'int32' : undefined
    case 'INT64':
      if (converted === 'TIMESTAMP_MILLIS') return 'millis'
      if (converted === 'TIMESTAMP_MICROS') return 'micros'
      if (converted === undefined && logical?.type === 'TIMESTAMP') {
        return logical.unit === 'MILLIS' ? 'millis' : logical.unit === 'MICROS' ? 'micros' : 'nanos'
      }
      if (converted !== undefined && converted !== 'INT_64') return
      return signedOrNone(logical) ? 'int64' : undefined
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

/** Reads `count` PLAIN values of `kind` into `out` from `at`, as hyparquet (with Ferry's PARSERS) gives them. */
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

/** A page that does not decompress with its column's codec: damaged, or labelled with the wrong codec. */
function decompress(raw: Uint8Array, size: number, codec: CompressionCodec, compressors: Compressors): Uint8Array {
  try {
    return decompressPage(raw, size, codec, compressors)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new FormatError(`${codec} page does not decompress (${reason})`, { cause: err })
  }
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
    const page = new PageReader(decompress(raw, header.uncompressed_page_size, column.codec, compressors))
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
      : decompress(rest, header.uncompressed_page_size - levels, column.codec, compressors)
  return { values, encoding: v2.encoding, defined, present, body: new PageReader(body) }
}

/** A data page being consumed: its levels, and where its present values come from. */
interface OpenPage {
  rows: number
  taken: number
  defined: Uint8Array | undefined
  /** PLAIN values, read as they are taken */
  plain?: PageReader
  /** dictionary entries or booleans, decoded up front (small integers, no objects) */
  codes?: Int32Array | Uint8Array
  lookup?: (code: number) => unknown
  next: number
}

function openPage(page: DataPage, column: FlatColumn, dictionary: unknown[] | undefined): OpenPage {
  const open: OpenPage = { rows: page.values, taken: 0, defined: page.defined, next: 0 }
  const { body, present, encoding } = page
  if (encoding === 'PLAIN') {
    open.plain = body
  } else if (encoding === 'RLE' && column.kind === 'boolean') {
    body.need(4)
    const start = body.offset + 4
    const bits = new Uint8Array(present)
    readHybrid(new PageReader(body.bytes, start, start + body.view.getUint32(body.offset, true)), 1, bits, 0, present)
    open.codes = bits
    open.lookup = (bit) => bit === 1
  } else if (encoding.endsWith('_DICTIONARY') && dictionary) {
    body.need(1)
    const bitWidth = body.bytes[body.offset++]!
    const indices = new Int32Array(present)
    readHybrid(body, bitWidth, indices, 0, present)
    for (const index of indices) {
      if (index >= dictionary.length)
        throw new FormatError(`dictionary index ${index} beyond ${dictionary.length} entries`)
    }
    open.codes = indices
    open.lookup = (index) => dictionary[index]
  } else {
    throw new FormatError(
      `${encoding} page ${dictionary ? '' : 'without a dictionary page '}in a ${column.kind} column`,
    )
  }
  return open
}

/** Takes `count` present values of the page into `out` from `at`. */
function takePresent(page: OpenPage, kind: Kind, count: number, out: unknown[], at: number): void {
  if (page.plain) {
    plainValues(page.plain, kind, count, out, at)
    return
  }
  const codes = page.codes!
  const lookup = page.lookup!
  for (let i = 0; i < count; i++) out[at + i] = lookup(codes[page.next++]!)
}

/**
 * Reads a column chunk's rows in order, a batch at a time, decoding each page as it is reached: only
 * the current page's bytes and levels are held, and values become objects only when they are taken.
 * Throws FormatError for damaged data.
 */
export class FlatCursor {
  private readonly chunk: PageReader
  private readonly column: FlatColumn
  private readonly rows: number
  private readonly compressors: Compressors
  private readonly place: ChunkPlace
  private dictionary: unknown[] | undefined
  private page: OpenPage | undefined
  /** rows of all the pages opened so far */
  private pagedRows = 0

  /**
   * `chunk` is the column chunk's bytes (dictionary page first, if any); it holds `rows` rows.
   * `place` locates it for checksum errors.
   */
  constructor(chunk: Uint8Array, column: FlatColumn, rows: number, compressors: Compressors, place: ChunkPlace) {
    this.chunk = new PageReader(chunk)
    this.column = column
    this.rows = rows
    this.compressors = compressors
    this.place = place
  }

  /** The next `count` rows' values, null where a row has none. */
  take(count: number): unknown[] {
    const out = new Array<unknown>(count)
    let filled = 0
    while (filled < count) {
      let page = this.page
      if (!page || page.taken === page.rows) page = this.nextPage()
      const n = Math.min(count - filled, page.rows - page.taken)
      const { defined } = page
      if (!defined) {
        takePresent(page, this.column.kind, n, out, filled)
      } else {
        let present = 0
        for (let i = page.taken; i < page.taken + n; i++) present += defined[i]!
        const values = new Array<unknown>(present)
        takePresent(page, this.column.kind, present, values, 0)
        let next = 0
        for (let i = 0; i < n; i++) out[filled + i] = defined[page.taken + i] ? values[next++] : null
      }
      page.taken += n
      filled += n
    }
    return out
  }

  private nextPage(): OpenPage {
    const reader = this.chunk
    for (;;) {
      if (reader.offset >= reader.end) {
        throw new FormatError(`column chunk ends after ${this.pagedRows} of ${this.rows} rows`)
      }
      const at = reader.offset
      let header: PageHeader
      try {
        header = parquetHeader(reader)
      } catch (err) {
        throw new FormatError(`damaged page header: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        })
      }
      checkHeader(header, reader)
      const raw = reader.bytes.subarray(reader.offset, reader.offset + header.compressed_page_size)
      reader.offset += header.compressed_page_size
      checkPage(header, raw, this.place, at)
      const { column, compressors } = this
      if (header.type === 'DICTIONARY_PAGE') {
        const entries = count(header.dictionary_page_header?.num_values, 'dictionary size')
        const page = new PageReader(decompress(raw, header.uncompressed_page_size, column.codec, compressors))
        this.dictionary = new Array(entries)
        plainValues(page, column.kind, entries, this.dictionary, 0)
        continue
      }
      if (header.type !== 'DATA_PAGE' && header.type !== 'DATA_PAGE_V2') continue
      const page = dataPage(header, raw, column, compressors)
      if (this.pagedRows + page.values > this.rows) {
        throw new FormatError(`pages hold more than the row group's ${this.rows} rows`)
      }
      this.pagedRows += page.values
      // a page of no rows would be opened again and again; skip it
      if (page.values === 0) continue
      this.page = openPage(page, column, this.dictionary)
      return this.page
    }
  }
}
