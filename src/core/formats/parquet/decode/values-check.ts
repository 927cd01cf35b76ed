/**
 * Checks of a page's values section, for the pages hyparquet decodes. hyparquet reads values where
 * the header says they are and for as long as it says: a count beyond the page reads the bytes of
 * the next page (it builds typed arrays over the whole chunk's buffer), an index beyond the
 * dictionary reads as undefined, a data page without its dictionary reads its indices as values.
 * Every size, length and index is checked here first, with the page's own reader.
 */
import type { ParquetType } from 'hyparquet'
import { FormatError, UnsupportedError } from '../../../../errors.js'
import type { ChunkColumn, DataPage } from './chunk.js'
import { walkDeltaBinary } from './delta.js'
import { PageReader, readHybrid } from './pages.js'
import { type PagePlace, pageError } from './place.js'

const WIDTHS: Partial<Record<ParquetType, number>> = { INT32: 4, FLOAT: 4, INT64: 8, DOUBLE: 8, INT96: 12 }

function width(column: ChunkColumn): number | undefined {
  return column.type === 'FIXED_LEN_BYTE_ARRAY' ? column.typeLength : WIDTHS[column.type]
}

/** `count` PLAIN values of the column's type, from `body`'s offset. */
export function checkPlain(body: PageReader, column: ChunkColumn, count: number): void {
  if (column.type !== 'BYTE_ARRAY') {
    body.need(column.type === 'BOOLEAN' ? Math.ceil(count / 8) : count * width(column)!)
    return
  }
  for (let i = 0; i < count; i++) {
    body.need(4)
    const length = body.view.getUint32(body.offset, true)
    body.offset += 4
    body.need(length)
    body.offset += length
  }
}

/** Byte-array lengths from a delta stream: none negative. */
function lengths(body: PageReader, count: number): Int32Array {
  const out = new Int32Array(count)
  walkDeltaBinary(body, count, 'INT32', out)
  const negative = out.findIndex((length) => length < 0)
  if (negative >= 0) throw new FormatError(`value ${negative} has a length of ${out[negative]}`)
  return out
}

function checkDeltaByteArray(body: PageReader, column: ChunkColumn, count: number): void {
  const prefixes = lengths(body, count)
  const suffixes = lengths(body, count)
  let previous = 0
  let stored = 0
  for (let i = 0; i < count; i++) {
    if (prefixes[i]! > previous) {
      throw new FormatError(`value ${i} shares ${prefixes[i]} bytes with a value of ${previous}`)
    }
    previous = prefixes[i]! + suffixes[i]!
    stored += suffixes[i]!
    if (column.type === 'FIXED_LEN_BYTE_ARRAY' && previous !== column.typeLength) {
      throw new FormatError(`value ${i} is ${previous} bytes long in a column of ${column.typeLength}-byte values`)
    }
  }
  body.need(stored)
}

/**
 * Runs of 0-bit indices: hyparquet reads a byte for a bit-packed run even when it holds no bits, so
 * one is only read alike as the last run (as writers place it: a final group of fewer than 8).
 */
function checkZeroWidthRuns(body: PageReader, count: number): void {
  for (let remaining = count; remaining > 0; ) {
    const header = body.varint()
    const run = Math.floor(header / 2) * (header & 1 ? 8 : 1)
    if (header & 1 ? run < remaining : run > remaining) {
      throw new FormatError(`a run of ${run} 0-bit indices where ${remaining} remain`)
    }
    remaining = header & 1 ? 0 : remaining - run
  }
}

/** The dictionary indices of a page, each below `entries`. */
function checkIndices(page: DataPage, entries: number): void {
  const { body, present } = page
  body.need(1)
  const bitWidth = body.bytes[body.offset++]!
  if (present > 0 && entries === 0) throw new FormatError('an index into an empty dictionary')
  if (bitWidth === 0) {
    // hyparquet reads a version 1 page of width 0 as all zeros, without its runs
    if (page.v2) checkZeroWidthRuns(body, present)
    return
  }
  // hyparquet's bit unpacking is exact up to 24 bits: wider indices (over 2^24 entries) would misread
  if (bitWidth > 24) {
    throw new UnsupportedError('parquet-dictionary-width', `${bitWidth}-bit dictionary indices (over 2^24 entries)`)
  }
  const largest = readHybrid(body, bitWidth, new Int32Array(present), 0, present)
  if (present > 0 && largest >= entries) {
    throw pageError(
      page.place,
      'dictionary index out of range',
      `found ${largest}, the dictionary has ${entries} entries`,
    )
  }
}

function checkBooleanRle(body: PageReader, count: number): void {
  body.need(4)
  const length = body.view.getUint32(body.offset, true)
  body.offset += 4
  body.need(length)
  if (
    readHybrid(new PageReader(body.bytes, body.offset, body.offset + length), 1, new Uint8Array(count), 0, count) > 1
  ) {
    throw new FormatError('a boolean run of a value other than 0 or 1')
  }
}

const ALLOWED: Record<string, readonly ParquetType[] | undefined> = {
  RLE: ['BOOLEAN'],
  DELTA_BINARY_PACKED: ['INT32', 'INT64'],
  DELTA_LENGTH_BYTE_ARRAY: ['BYTE_ARRAY'],
  DELTA_BYTE_ARRAY: ['BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY'],
  BYTE_STREAM_SPLIT: ['FLOAT', 'DOUBLE', 'INT32', 'INT64', 'FIXED_LEN_BYTE_ARRAY'],
}

function checkSection(page: DataPage, column: ChunkColumn, dictionary: number | undefined): void {
  const { body, present: count, encoding } = page
  const types = ALLOWED[encoding]
  if (types && !types.includes(column.type)) {
    throw new FormatError(`${encoding} values in a ${column.type} column`)
  }
  switch (encoding) {
    case 'PLAIN':
      checkPlain(body, column, count)
      break
    case 'PLAIN_DICTIONARY':
    case 'RLE_DICTIONARY':
      if (dictionary === undefined) throw new FormatError(`${encoding} values without a dictionary page`)
      if (column.type === 'BOOLEAN') throw new FormatError(`${encoding} values in a BOOLEAN column`)
      checkIndices(page, dictionary)
      break
    case 'RLE':
      checkBooleanRle(body, count)
      break
    case 'DELTA_BINARY_PACKED':
      walkDeltaBinary(body, count, column.type as 'INT32' | 'INT64')
      break
    case 'DELTA_LENGTH_BYTE_ARRAY':
      body.need(lengths(body, count).reduce((sum, length) => sum + length, 0))
      break
    case 'DELTA_BYTE_ARRAY':
      checkDeltaByteArray(body, column, count)
      break
    case 'BYTE_STREAM_SPLIT':
      body.need(count * width(column)!)
      break
    default:
      throw new UnsupportedError(`parquet-encoding-${encoding.toLowerCase()}`, `${encoding}-encoded values`)
  }
}

/**
 * Throws FormatError (naming the page) when the values section of `page` does not hold its values
 * as its encoding lays them out, UnsupportedError for an encoding hyparquet cannot decode.
 * `dictionary` is the entry count of the chunk's dictionary page, if it has one.
 */
export function checkValues(page: DataPage, column: ChunkColumn, dictionary: number | undefined): void {
  try {
    checkSection(page, column, dictionary)
  } catch (err) {
    throw valuesError(err, page.place)
  }
}

/** A FormatError from a values check, named for its page (unless it is already). */
export function valuesError(err: unknown, place: PagePlace): unknown {
  if (!(err instanceof FormatError) || err.context.page !== undefined) return err
  return pageError(place, 'damaged page values', err.message, err)
}
