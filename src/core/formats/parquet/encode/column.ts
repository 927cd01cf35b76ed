/**
 * One column chunk: an optional dictionary page, then version 1 data pages (definition levels and
 * values compressed together), each behind its Thrift page header. Version 1 pages and PLAIN /
 * RLE_DICTIONARY encodings are what every Parquet reader handles.
 */
import type { ColumnMetaData, Encoding, PageHeader, ParquetType } from 'hyparquet'
import { ByteWriter } from 'hyparquet-writer'
import { writePageHeader } from 'hyparquet-writer/src/datapage.js'
import type { ByteBuffer } from './buffer.js'
import { compressPage, type WriteCodec } from './codec.js'
import { bitWidthFor, writeHybrid } from './hybrid.js'
import type { PhysicalColumn, PhysicalValues } from './physical.js'
import { chunkStatistics, stringRange } from './stats.js'

/** Target uncompressed size of a data page, as parquet-mr and hyparquet-writer use. */
const PAGE_BYTES = 1024 * 1024
/** A string column stops trying a dictionary beyond this many entries... */
const MAX_DICTIONARY_ENTRIES = 65_536
/** ...or once the first values already look mostly distinct (ids, free text). */
const DICTIONARY_PROBE = 1024

export interface EncodedChunk {
  parts: Uint8Array[]
  byteLength: number
  /** offsets are relative to the start of the chunk; the file writer rebases them */
  meta: ColumnMetaData
}

interface Dictionary {
  entries: string[]
  indices: Int32Array
}

/** Dictionary-encodes a string column when that pays: few distinct values relative to the count. */
function buildDictionary(values: readonly string[]): Dictionary | undefined {
  const ids = new Map<string, number>()
  const indices = new Int32Array(values.length)
  const limit = Math.min(MAX_DICTIONARY_ENTRIES, Math.max(16, values.length >> 2))
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    let id = ids.get(value)
    if (id === undefined) {
      id = ids.size
      if (id >= limit || (i >= DICTIONARY_PROBE && id > i >> 1)) return undefined
      ids.set(value, id)
    }
    indices[i] = id
  }
  return { entries: [...ids.keys()], indices }
}

/** Bytes one value takes in a PLAIN page, to cut pages near PAGE_BYTES. */
function plainWidth(data: PhysicalValues): number {
  switch (data.kind) {
    case 'int32':
      return 4
    case 'int64':
    case 'bigint64':
    case 'double':
      return 8
    default:
      return 0
  }
}

/**
 * PLAIN values `[from, end)`. Returns whether every string written was ASCII, which makes JavaScript
 * string comparison exact for statistics.
 */
function writePlain(out: ByteBuffer, data: PhysicalValues, from: number, end: number): boolean {
  switch (data.kind) {
    case 'string': {
      let ascii = true
      for (let i = from; i < end; i++) {
        const text = data.values[i]!
        const before = out.length
        out.utf8WithLength(text)
        if (ascii && out.length - before - 4 !== text.length) ascii = false
      }
      return ascii
    }
    case 'int32':
      out.reserve((end - from) * 4)
      for (let i = from; i < end; i++) out.int32(data.values[i]!)
      return true
    case 'int64':
      for (let i = from; i < end; i++) out.int64(data.values[i]!)
      return true
    case 'bigint64':
      for (let i = from; i < end; i++) out.bigint64(data.values[i]!)
      return true
    case 'double':
      for (let i = from; i < end; i++) out.double(data.values[i]!)
      return true
    case 'boolean': {
      // PLAIN booleans are bit-packed, LSB first, without the hybrid header
      const bytes = Math.ceil((end - from) / 8)
      out.reserve(bytes)
      const start = out.length
      out.bytes.fill(0, start, start + bytes)
      for (let i = from; i < end; i++) {
        if (data.values[i]) out.bytes[start + ((i - from) >> 3)]! |= 1 << ((i - from) & 7)
      }
      out.length = start + bytes
      return true
    }
  }
}

class ChunkWriter {
  readonly parts: Uint8Array[] = []
  compressed = 0
  uncompressed = 0
  private readonly header = new ByteWriter()
  private readonly codec: WriteCodec

  constructor(codec: WriteCodec) {
    this.codec = codec
  }

  /** Compresses the page body and appends header and body; returns the page's offset in the chunk. */
  page(header: Omit<PageHeader, 'compressed_page_size' | 'uncompressed_page_size'>, body: Uint8Array): number {
    const offset = this.compressed
    const compressed = compressPage(this.codec, body)
    this.header.index = 0
    this.header.offset = 0
    writePageHeader(this.header, {
      ...header,
      uncompressed_page_size: body.length,
      compressed_page_size: compressed.length,
    })
    const headerBytes = this.header.getBytes().slice()
    this.parts.push(headerBytes, compressed)
    this.compressed += headerBytes.length + compressed.length
    this.uncompressed += headerBytes.length + body.length
    return offset
  }
}

/** Definition levels of rows `[from, end)` as a version 1 page carries them: a 4-byte length, then RLE. */
function writeLevels(out: ByteBuffer, defined: Uint8Array, from: number, end: number): void {
  const lengthAt = out.length
  out.int32(0)
  writeHybrid(out, defined, from, end, 1)
  out.int32At(lengthAt, out.length - lengthAt - 4)
}

/**
 * Encodes `rows` rows of one column. `scratch` is reused between pages and columns; nothing returned
 * points into it.
 */
export function encodeColumnChunk(
  name: string,
  type: ParquetType,
  physical: PhysicalColumn,
  rows: number,
  codec: WriteCodec,
  scratch: ByteBuffer,
): EncodedChunk {
  const { data, defined } = physical
  const writer = new ChunkWriter(codec)
  const dictionary = data.kind === 'string' ? buildDictionary(data.values) : undefined
  let dictionaryPageOffset: bigint | undefined
  let bitWidth = 0
  if (dictionary) {
    scratch.reset()
    writePlain(scratch, { kind: 'string', values: dictionary.entries }, 0, dictionary.entries.length)
    const offset = writer.page(
      { type: 'DICTIONARY_PAGE', dictionary_page_header: { num_values: dictionary.entries.length, encoding: 'PLAIN' } },
      scratch.written(),
    )
    dictionaryPageOffset = BigInt(offset)
    bitWidth = bitWidthFor(dictionary.entries.length - 1)
  }
  const width = dictionary ? Math.max(1, bitWidth / 8) : plainWidth(data)
  const strings = data.kind === 'string' && !dictionary ? data.values : undefined
  let ascii = true
  let dataPageOffset = -1
  let row = 0
  let value = 0
  while (row < rows || dataPageOffset < 0) {
    // cut the page near PAGE_BYTES of values; levels are a bit per row at most
    const pageStartRow = row
    const pageStartValue = value
    let bytes = 0
    while (row < rows && bytes < PAGE_BYTES) {
      if (!defined || defined[row]) {
        bytes += strings ? 4 + strings[value]!.length : width
        value++
      }
      row++
    }
    scratch.reset()
    if (defined) writeLevels(scratch, defined, pageStartRow, row)
    const encoding: Encoding = dictionary ? 'RLE_DICTIONARY' : 'PLAIN'
    if (dictionary) {
      scratch.byte(bitWidth)
      writeHybrid(scratch, dictionary.indices, pageStartValue, value, bitWidth)
    } else if (!writePlain(scratch, data, pageStartValue, value)) {
      ascii = false
    }
    const offset = writer.page(
      {
        type: 'DATA_PAGE',
        data_page_header: {
          num_values: row - pageStartRow,
          encoding,
          definition_level_encoding: 'RLE',
          repetition_level_encoding: 'RLE',
        },
      },
      scratch.written(),
    )
    if (dataPageOffset < 0) dataPageOffset = offset
  }
  const encodings: Encoding[] = dictionary ? ['PLAIN', 'RLE', 'RLE_DICTIONARY'] : ['PLAIN', 'RLE']
  const range =
    data.kind !== 'string'
      ? undefined
      : dictionary
        ? stringRange(dictionary.entries, false)
        : stringRange(data.values, ascii)
  return {
    parts: writer.parts,
    byteLength: writer.compressed,
    meta: {
      type,
      encodings,
      path_in_schema: [name],
      codec,
      num_values: BigInt(rows),
      total_uncompressed_size: BigInt(writer.uncompressed),
      total_compressed_size: BigInt(writer.compressed),
      data_page_offset: BigInt(dataPageOffset),
      dictionary_page_offset: dictionaryPageOffset,
      statistics: chunkStatistics(physical, rows, range),
    },
  }
}
