/**
 * Page headers, read and checked before anything trusts them. hyparquet reads a header's fields as
 * they come: a missing `num_rows` or a size of the wrong type turns its reader offset into NaN, which
 * a DataView reads as 0, and its decoders then loop for ever. Every field either decoder uses is
 * checked here, against the column chunk's bytes too.
 */
import type { PageHeader } from 'hyparquet'
import { Encodings, PageTypes } from 'hyparquet/src/constants.js'
import { PAGE_HEADER, parseFailure, readStruct, shapeProblem } from '../thrift.js'
import type { PageReader } from './pages.js'
import { type PagePlace, pageError } from './place.js'

type Thrift = Record<string, unknown>

function mapHeader(raw: Thrift): PageHeader {
  const v1 = raw.field_5 as Thrift | undefined
  const dictionary = raw.field_7 as Thrift | undefined
  const v2 = raw.field_8 as Thrift | undefined
  return {
    type: PageTypes[raw.field_1 as number]!,
    uncompressed_page_size: raw.field_2 as number,
    compressed_page_size: raw.field_3 as number,
    crc: raw.field_4 as number | undefined,
    data_page_header: v1 && {
      num_values: v1.field_1 as number,
      encoding: Encodings[v1.field_2 as number]!,
      definition_level_encoding: Encodings[v1.field_3 as number]!,
      repetition_level_encoding: Encodings[v1.field_4 as number]!,
    },
    dictionary_page_header: dictionary && {
      num_values: dictionary.field_1 as number,
      encoding: Encodings[dictionary.field_2 as number]!,
      is_sorted: dictionary.field_3 as boolean | undefined,
    },
    data_page_header_v2: v2 && {
      num_values: v2.field_1 as number,
      num_nulls: v2.field_2 as number,
      num_rows: v2.field_3 as number,
      encoding: Encodings[v2.field_4 as number]!,
      definition_levels_byte_length: v2.field_5 as number,
      repetition_levels_byte_length: v2.field_6 as number,
      is_compressed: v2.field_7 === undefined ? true : (v2.field_7 as boolean),
    },
  }
}

/** The first problem with a parsed header's values, if any. */
function headerProblem(header: PageHeader, room: number): string | undefined {
  const { type, compressed_page_size: compressed, uncompressed_page_size: uncompressed } = header
  if (type === undefined) return 'its page type is unknown'
  if (type === 'INDEX_PAGE') return 'an INDEX_PAGE, which no column chunk holds'
  if (compressed < 0 || uncompressed < 0) return `negative sizes (${compressed} stored, ${uncompressed} uncompressed)`
  if (compressed > room) return `it stores ${compressed} bytes, the column chunk has ${room} left`
  const sub =
    type === 'DATA_PAGE'
      ? header.data_page_header
      : type === 'DATA_PAGE_V2'
        ? header.data_page_header_v2
        : header.dictionary_page_header
  if (!sub) return `a ${type} without its ${type === 'DICTIONARY_PAGE' ? 'dictionary' : 'data'} page header`
  if (sub.encoding === undefined) return 'its encoding is unknown'
  if (sub.num_values < 0) return `a value count of ${sub.num_values}`
  const v2 = header.data_page_header_v2
  if (type === 'DATA_PAGE_V2' && v2) {
    const { num_nulls: nulls, num_rows: rows, num_values: values } = v2
    const levels = v2.definition_levels_byte_length + v2.repetition_levels_byte_length
    if (nulls < 0 || nulls > values) return `${nulls} nulls among ${values} values`
    if (rows < 0 || rows > values) return `${rows} rows among ${values} values`
    if (v2.definition_levels_byte_length < 0 || v2.repetition_levels_byte_length < 0) return 'negative level lengths'
    if (levels > compressed || levels > uncompressed) {
      return `${levels} bytes of levels in a page of ${compressed} bytes (${uncompressed} uncompressed)`
    }
    if (!v2.is_compressed && compressed !== uncompressed) {
      return `an uncompressed page storing ${compressed} bytes but declaring ${uncompressed}`
    }
  }
  return undefined
}

/**
 * Reads the header at `chunk`'s offset and leaves the offset after it. `place` names the page.
 * Throws FormatError naming what is wrong.
 */
export function readPageHeader(chunk: PageReader, place: PagePlace): PageHeader {
  const reader = { view: chunk.view, offset: chunk.offset }
  let raw: Thrift
  try {
    raw = readStruct(reader)
  } catch (err) {
    throw pageError(place, 'damaged page header', `the header does not parse: ${parseFailure(err)}`, err)
  }
  if (reader.offset > chunk.end) {
    throw pageError(place, 'damaged page header', 'the header does not parse: it runs past the column chunk')
  }
  const shape = shapeProblem(raw, PAGE_HEADER, 'header')
  if (shape) throw pageError(place, 'damaged page header', shape)
  const header = mapHeader(raw)
  const problem = headerProblem(header, chunk.end - reader.offset)
  if (problem) throw pageError({ ...place, type: header.type }, 'damaged page header', problem)
  chunk.offset = reader.offset
  return header
}
