/**
 * The pages of one column chunk, in order, each checked before its bytes are used: the header
 * (header.ts), the page limits (budget.ts) before decompressing, the CRC, the codec's output size,
 * the levels against the schema (levels.ts) and the counts against each other. Both decoders start
 * here: Ferry's flat-column cursor decodes the values of each page, and the walk in validate.ts
 * checks those of the chunks left to hyparquet.
 */
import type { CompressionCodec, Encoding, PageHeader, ParquetType } from 'hyparquet'
import { UnsupportedError } from '../../../../errors.js'
import { CodecError, decompress } from '../codecs.js'
import type { PageBudget } from './budget.js'
import { checkPage } from './checksum.js'
import { readPageHeader } from './header.js'
import { type ColumnLevels, checkNesting, readLevels } from './levels.js'
import { PageReader } from './pages.js'
import { type ChunkPlace, describeColumnPage, describePage, type PagePlace, pageError } from './place.js'

/** What reading a column chunk's pages needs to know of its column. */
export interface ChunkColumn extends ColumnLevels {
  type: ParquetType
  /** bytes per value of a FIXED_LEN_BYTE_ARRAY */
  typeLength?: number
  codec: CompressionCodec
}

export interface DictionaryPage {
  kind: 'dictionary'
  count: number
  body: PageReader
  place: PagePlace
}

export interface DataPage {
  kind: 'data'
  /** level entries (values and nulls, and empty lists) */
  values: number
  /** rows that start on this page */
  rows: number
  /** values with a definition level at the maximum, i.e. stored in `body` */
  present: number
  encoding: Encoding
  v2: boolean
  /** undefined when the column has no definition levels */
  def: Uint8Array | undefined
  rep: Uint8Array | undefined
  /** the values section, decompressed */
  body: PageReader
  place: PagePlace
}

export type Page = DictionaryPage | DataPage

/** `levels` entries equal to `level`. */
function countOf(levels: Uint8Array, level: number): number {
  let n = 0
  for (let i = 0; i < levels.length; i++) if (levels[i] === level) n++
  return n
}

/** The pages of a column chunk's bytes, one `next()` at a time, each checked as the module says. */
export class ChunkPages {
  private readonly reader: PageReader
  private readonly column: ChunkColumn
  private readonly place: ChunkPlace
  private readonly budget: PageBudget
  private index = 0
  /** the definition level of the last value so far, for checkNesting */
  private lastDef = -1
  /** level entries of the data pages so far */
  values = 0
  /** rows of the data pages so far */
  rows = 0

  constructor(bytes: Uint8Array, column: ChunkColumn, place: ChunkPlace, budget: PageBudget) {
    this.reader = new PageReader(bytes)
    this.column = column
    this.place = place
    this.budget = budget
  }

  /** Whether the chunk's bytes are all read. hyparquet stops a byte short of the end, and so do we. */
  get atEnd(): boolean {
    return this.reader.offset >= this.reader.end - 1
  }

  /** The next page. Throws FormatError naming the page, or LimitError over a page limit. */
  next(): Page {
    const { reader } = this
    const place: PagePlace = { ...this.place, index: this.index++, at: this.place.start + reader.offset }
    const header = readPageHeader(reader, place)
    place.type = header.type
    const raw = reader.bytes.subarray(reader.offset, reader.offset + header.compressed_page_size)
    reader.offset += header.compressed_page_size
    checkPage(header, raw, place)
    // the type decides which sub-header counts, as it does for hyparquet (header.ts checked it is there)
    const { type } = header
    const sub =
      type === 'DATA_PAGE'
        ? header.data_page_header!
        : type === 'DATA_PAGE_V2'
          ? header.data_page_header_v2!
          : header.dictionary_page_header!
    this.budget.charge(header.uncompressed_page_size, sub.num_values, describeColumnPage(place))
    if (type === 'DICTIONARY_PAGE') return this.dictionaryPage(header, raw, place)
    const page = type === 'DATA_PAGE' ? this.v1(header, raw, place) : this.v2(header, raw, place)
    if (this.column.maxRep > 0) this.lastDef = checkNesting(page.rep!, page.def, this.column, this.lastDef, place)
    this.values += page.values
    this.rows += page.rows
    return page
  }

  private decompress(raw: Uint8Array, size: number, place: PagePlace): Uint8Array {
    try {
      return decompress(raw, size, this.column.codec)
    } catch (err) {
      if (!(err instanceof CodecError)) throw err
      throw pageError(place, 'page does not decompress', err.message, err)
    }
  }

  private dictionaryPage(header: PageHeader, raw: Uint8Array, place: PagePlace): DictionaryPage {
    const { num_values: count, encoding } = header.dictionary_page_header!
    if (this.index > 1)
      throw pageError(place, 'misplaced dictionary page', 'only the first page of a column chunk may be one')
    if (encoding !== 'PLAIN' && encoding !== 'PLAIN_DICTIONARY') {
      throw pageError(place, 'unexpected dictionary encoding', `${encoding}, where PLAIN belongs`)
    }
    const body = new PageReader(this.decompress(raw, header.uncompressed_page_size, place))
    return { kind: 'dictionary', count, body, place }
  }

  private levelEncoding(encoding: Encoding | undefined, max: number, which: string, place: PagePlace): void {
    // BIT_PACKED, the levels' encoding before RLE, is listed by writers even for levels never written
    if (max === 0 || encoding === 'RLE') return
    if (encoding === 'BIT_PACKED') {
      throw new UnsupportedError(
        'parquet-bit-packed-levels',
        `${which} levels in the deprecated BIT_PACKED encoding in ${describePage(place)}; Ferry reads RLE levels`,
      )
    }
    throw pageError(place, `unexpected ${which} level encoding`, `${encoding ?? 'an unknown one'}, where RLE belongs`)
  }

  private v1(header: PageHeader, raw: Uint8Array, place: PagePlace): DataPage {
    const h = header.data_page_header!
    const { maxDef, maxRep } = this.column
    const values = h.num_values
    const body = new PageReader(this.decompress(raw, header.uncompressed_page_size, place))
    // each level run is prefixed with its length
    const section = (max: number, which: 'repetition' | 'definition') => {
      const length = body.offset + 4 <= body.end ? body.view.getUint32(body.offset, true) : -1
      body.offset += 4
      if (length < 0 || body.offset + length > body.end) {
        const found = length < 0 ? 'no length' : `${length} bytes`
        throw pageError(
          place,
          `damaged ${which} levels`,
          `${found} at byte ${body.offset - 4} of a ${body.end}-byte page`,
        )
      }
      const levels = readLevels(body.bytes, body.offset, body.offset + length, max, values, which, place)
      body.offset += length
      return levels
    }
    this.levelEncoding(h.repetition_level_encoding, maxRep, 'repetition', place)
    this.levelEncoding(h.definition_level_encoding, maxDef, 'definition', place)
    const rep = maxRep > 0 ? section(maxRep, 'repetition') : undefined
    const def = maxDef > 0 ? section(maxDef, 'definition') : undefined
    const present = def ? countOf(def, maxDef) : values
    const rows = rep ? countOf(rep, 0) : values
    return { kind: 'data', values, rows, present, encoding: h.encoding, v2: false, def, rep, body, place }
  }

  private v2(header: PageHeader, raw: Uint8Array, place: PagePlace): DataPage {
    const h = header.data_page_header_v2!
    const { maxDef, maxRep } = this.column
    const values = h.num_values
    const repLength = h.repetition_levels_byte_length
    const defLength = h.definition_levels_byte_length
    // hyparquet skips level bytes a column has no levels for, but only repetition levels: it would
    // read definition level bytes as values
    if (maxDef === 0 && defLength > 0) {
      throw pageError(
        place,
        'unexpected definition levels',
        `the column has none, the page holds ${defLength} bytes of them`,
      )
    }
    const rep = maxRep > 0 ? readLevels(raw, 0, repLength, maxRep, values, 'repetition', place) : undefined
    const def =
      maxDef > 0 ? readLevels(raw, repLength, repLength + defLength, maxDef, values, 'definition', place) : undefined
    const present = def ? countOf(def, maxDef) : values
    const rows = rep ? countOf(rep, 0) : values
    if (h.num_nulls !== values - present) {
      throw pageError(
        place,
        'page counts disagree',
        `the header says ${h.num_nulls} nulls, the levels hold ${values - present}`,
      )
    }
    if (h.num_rows !== rows) {
      throw pageError(place, 'page counts disagree', `the header says ${h.num_rows} rows, the levels hold ${rows}`)
    }
    if (rep && values > 0 && rep[0] !== 0) {
      throw pageError(place, 'repetition levels out of order', 'a version 2 data page must start a row')
    }
    const stored = raw.subarray(repLength + defLength)
    const size = header.uncompressed_page_size - repLength - defLength
    const body = new PageReader(h.is_compressed === false ? stored : this.decompress(stored, size, place))
    return { kind: 'data', values, rows, present, encoding: h.encoding, v2: true, def, rep, body, place }
  }
}
