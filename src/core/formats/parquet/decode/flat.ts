/**
 * A fast path for the column chunks most files are made of: top-level columns of plain types
 * (booleans, integers, floats, UTF-8 text, dates, timestamps) in PLAIN or dictionary encoding,
 * version 1 or 2 data pages, read a batch at a time (FlatCursor). hyparquet decodes these through
 * its general nested-data machinery, which allocates several arrays and an object per value; this
 * decodes straight into one array per column and batch. It gives exactly the values hyparquet gives
 * (the differential tests in test/unit/core/formats/parquet/decode.test.ts hold it to that); any
 * other column is left to hyparquet. Pages come checked from ChunkPages (chunk.ts).
 */
import type { ColumnMetaData, SchemaElement } from 'hyparquet'
import { FormatError } from '../../../../errors.js'
import { PARSERS } from '../values.js'
import type { PageBudget } from './budget.js'
import { type ChunkColumn, ChunkPages, type DataPage } from './chunk.js'
import { PageReader, readHybrid, readPlainBooleans, readPlainStrings } from './pages.js'
import { type ChunkPlace, chunkError, type PagePlace, pageError } from './place.js'
import { valuesError } from './values-check.js'

/** What a flat column's values become. */
type Kind = 'boolean' | 'int32' | 'date' | 'int64' | 'millis' | 'micros' | 'nanos' | 'float' | 'double' | 'string'

/** value encodings handled here, and RLE, which levels (and booleans) use */
const DATA_ENCODINGS = new Set(['PLAIN', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY', 'RLE'])
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

/** A column chunk the fast path can decode: a top-level leaf, optional (one definition level) or required. */
export interface FlatColumn extends ChunkColumn {
  kind: Kind
}

/**
 * The fast-path description of a top-level column, or undefined when hyparquet must decode it
 * (nested or repeated columns, other types and annotations, delta or split encodings).
 */
export function flatColumn(element: SchemaElement, meta: ColumnMetaData, leaf: boolean): FlatColumn | undefined {
  if (!leaf || element.repetition_type === 'REPEATED' || meta.path_in_schema.length !== 1) return undefined
  const kind = kindOf(element)
  if (!kind || !meta.encodings.every((encoding) => DATA_ENCODINGS.has(encoding))) return undefined
  const maxDef = element.repetition_type === 'REQUIRED' ? 0 : 1
  return { kind, type: meta.type, codec: meta.codec, maxDef, maxRep: 0, listDef: [] }
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

/** A data page being consumed: its levels, and where its present values come from. */
interface OpenPage {
  rows: number
  taken: number
  defined: Uint8Array | undefined
  place: PagePlace
  /** PLAIN values, read as they are taken */
  plain?: PageReader
  /**
   * PLAIN booleans: bits taken so far. A batch may end mid-byte (nulls make the count of present
   * values anything), so booleans are read by bit position, not from the reader's byte offset.
   */
  bits?: number
  /** dictionary entries or booleans, decoded up front (small integers, no objects) */
  codes?: Int32Array | Uint8Array
  lookup?: (code: number) => unknown
  next: number
}

function openPage(page: DataPage, column: FlatColumn, dictionary: unknown[] | undefined): OpenPage {
  const { body, present, encoding, place } = page
  const open: OpenPage = { rows: page.values, taken: 0, defined: page.def, place, next: 0 }
  if (encoding === 'PLAIN') {
    open.plain = body
    if (column.kind === 'boolean') open.bits = 0
  } else if (encoding === 'RLE' && column.kind === 'boolean') {
    body.need(4)
    const start = body.offset + 4
    const length = body.view.getUint32(body.offset, true)
    body.need(4 + length)
    const bits = new Uint8Array(present)
    if (readHybrid(new PageReader(body.bytes, start, start + length), 1, bits, 0, present) > 1) {
      throw new FormatError('a boolean run of a value other than 0 or 1')
    }
    open.codes = bits
    open.lookup = (bit) => bit === 1
  } else if (encoding.endsWith('_DICTIONARY') && dictionary && column.kind !== 'boolean') {
    body.need(1)
    const bitWidth = body.bytes[body.offset++]!
    const indices = new Int32Array(present)
    // as hyparquet: an index of 0 bits is 0, whatever runs follow
    const largest = bitWidth === 0 ? 0 : readHybrid(body, bitWidth, indices, 0, present)
    if (present > 0 && largest >= dictionary.length) {
      const found = `found ${largest}, the dictionary has ${dictionary.length} entries`
      throw pageError(place, 'dictionary index out of range', found)
    }
    open.codes = indices
    open.lookup = (index) => dictionary[index]
  } else {
    throw new FormatError(
      `${encoding} values ${dictionary ? '' : 'without a dictionary page '}in a ${column.kind} column`,
    )
  }
  return open
}

/** Takes `count` present values of the page into `out` from `at`. */
function takePresent(page: OpenPage, kind: Kind, count: number, out: unknown[], at: number): void {
  if (page.plain && page.bits !== undefined) {
    const { bytes, offset } = page.plain
    const from = page.bits
    page.plain.need(Math.ceil((from + count) / 8))
    for (let i = 0; i < count; i++) {
      const bit = from + i
      out[at + i] = (bytes[offset + (bit >> 3)]! & (1 << (bit & 7))) !== 0
    }
    page.bits = from + count
    return
  }
  if (page.plain) {
    plainValues(page.plain, kind, count, out, at)
    return
  }
  const codes = page.codes!
  const lookup = page.lookup!
  for (let i = 0; i < count; i++) out[at + i] = lookup(codes[page.next++]!)
}

/** The fewest bytes `count` PLAIN values take (a string at least its length), checked before an array of them is made. */
function plainMinimum(column: FlatColumn, count: number): number {
  if (column.type === 'BOOLEAN') return Math.ceil(count / 8)
  return count * (column.type === 'INT64' || column.type === 'DOUBLE' ? 8 : 4)
}

/**
 * Reads a column chunk's rows in order, a batch at a time, decoding each page as it is reached: only
 * the current page's bytes and levels are held, and values become objects only when they are taken.
 * Throws FormatError for damaged data, LimitError over a page limit.
 */
export class FlatCursor {
  private readonly pages: ChunkPages
  private readonly column: FlatColumn
  private readonly rows: number
  private readonly place: ChunkPlace
  private dictionary: unknown[] | undefined
  private page: OpenPage | undefined

  /** `chunk` is the column chunk's bytes (dictionary page first, if any); it holds `rows` rows. */
  constructor(chunk: Uint8Array, column: FlatColumn, rows: number, place: ChunkPlace, budget: PageBudget) {
    this.pages = new ChunkPages(chunk, column, place, budget)
    this.column = column
    this.rows = rows
    this.place = place
  }

  /** The next `count` rows' values, null where a row has none. */
  take(count: number): unknown[] {
    const out = new Array<unknown>(count)
    const { kind } = this.column
    let filled = 0
    while (filled < count) {
      let page = this.page
      if (!page || page.taken === page.rows) page = this.nextPage()
      const n = Math.min(count - filled, page.rows - page.taken)
      const { defined } = page
      try {
        if (!defined) {
          takePresent(page, kind, n, out, filled)
        } else {
          let present = 0
          for (let i = page.taken; i < page.taken + n; i++) present += defined[i]!
          const values = new Array<unknown>(present)
          takePresent(page, kind, present, values, 0)
          let next = 0
          for (let i = 0; i < n; i++) out[filled + i] = defined[page.taken + i] ? values[next++] : null
        }
      } catch (err) {
        throw valuesError(err, page.place)
      }
      page.taken += n
      filled += n
    }
    return out
  }

  private nextPage(): OpenPage {
    const { pages, column } = this
    for (;;) {
      if (pages.atEnd)
        throw chunkError(this.place, `the column chunk ends after ${pages.rows} of its ${this.rows} rows`)
      const page = pages.next()
      try {
        if (page.kind === 'dictionary') {
          page.body.need(plainMinimum(column, page.count))
          this.dictionary = new Array(page.count)
          plainValues(page.body, column.kind, page.count, this.dictionary, 0)
          continue
        }
        if (pages.rows > this.rows) {
          throw chunkError(this.place, `the pages hold more than the row group's ${this.rows} rows`)
        }
        // a page of no rows would be opened again and again; skip it
        if (page.values === 0) continue
        this.page = openPage(page, column, this.dictionary)
      } catch (err) {
        throw valuesError(err, page.place)
      }
      return this.page
    }
  }
}
