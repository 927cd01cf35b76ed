/**
 * One column chunk, built batch by batch: version 1 data pages (definition levels and values
 * compressed together) cut near PAGE_BYTES as values arrive, behind an optional dictionary page.
 * Only encoded bytes and small typed arrays are kept between batches, never the values themselves,
 * so a row group can be gathered from many small batches without holding their objects.
 * Version 1 pages and PLAIN / RLE_DICTIONARY encodings are what every Parquet reader handles. Every
 * page header carries the CRC-32 of the page's bytes as stored, so a reader that checks (Ferry's own
 * does) catches a page damaged in storage or transit instead of decoding wrong values.
 */
import { crc32 } from 'node:zlib'
import type { ColumnMetaData, Encoding, PageHeader, ParquetType } from 'hyparquet'
import { ByteWriter } from 'hyparquet-writer'
import { writePageHeader } from 'hyparquet-writer/src/datapage.js'
import { ByteBuffer } from './buffer.js'
import { compressPage, type WriteCodec } from './codec.js'
import { bitWidthFor, writeHybrid } from './hybrid.js'
import type { PhysicalColumn, PhysicalValues } from './physical.js'
import { RunningStatistics } from './stats.js'

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

/** A growable array of small integers (levels, dictionary indices). */
class Growable<T extends Uint8Array | Int32Array> {
  array: T
  length = 0

  constructor(array: T) {
    this.array = array
  }

  reserve(extra: number): T {
    if (this.length + extra > this.array.length) {
      const grown = new (this.array.constructor as new (size: number) => T)(
        Math.max(this.length + extra, this.array.length * 2),
      )
      grown.set(this.array.subarray(0, this.length))
      this.array = grown
    }
    return this.array
  }
}

/** Compresses pages and puts each behind its header; tracks the chunk's sizes. */
class PageWriter {
  readonly parts: Uint8Array[] = []
  compressed = 0
  uncompressed = 0
  private readonly header = new ByteWriter()
  private readonly codec: WriteCodec

  constructor(codec: WriteCodec) {
    this.codec = codec
  }

  /** Returns the page's offset in the chunk. */
  page(header: Omit<PageHeader, 'compressed_page_size' | 'uncompressed_page_size'>, body: Uint8Array): number {
    const offset = this.compressed
    const compressed = compressPage(this.codec, body)
    this.header.index = 0
    this.header.offset = 0
    writePageHeader(this.header, {
      ...header,
      uncompressed_page_size: body.length,
      compressed_page_size: compressed.length,
      // the spec's CRC-32 (zlib's polynomial) of the compressed bytes, stored as a signed i32
      crc: crc32(compressed) | 0,
    })
    const headerBytes = this.header.getBytes().slice()
    this.parts.push(headerBytes, compressed)
    this.compressed += headerBytes.length + compressed.length
    this.uncompressed += headerBytes.length + body.length
    return offset
  }
}

interface Dictionary {
  ids: Map<string, number>
  entries: string[]
  /** one entry index per value so far */
  indices: Growable<Int32Array>
}

function plainWidth(kind: PhysicalValues['kind']): number {
  return kind === 'int32' ? 4 : kind === 'boolean' ? 0 : 8
}

/** PLAIN values `[from, end)` of fixed-width data. */
function writeFixed(out: ByteBuffer, data: PhysicalValues, from: number, end: number): void {
  switch (data.kind) {
    case 'int32':
      for (let i = from; i < end; i++) out.int32(data.values[i]!)
      return
    case 'int64':
      for (let i = from; i < end; i++) out.int64(data.values[i]!)
      return
    case 'bigint64':
      for (let i = from; i < end; i++) out.bigint64(data.values[i]!)
      return
    case 'double':
      for (let i = from; i < end; i++) out.double(data.values[i]!)
      return
    default:
      throw new TypeError(`${data.kind} values are not fixed-width`)
  }
}

/** PLAIN booleans: bit-packed, LSB first, without the hybrid header. */
function writeBooleans(out: ByteBuffer, bits: Uint8Array): void {
  const bytes = Math.ceil(bits.length / 8)
  out.reserve(bytes)
  const start = out.length
  out.bytes.fill(0, start, start + bytes)
  for (let i = 0; i < bits.length; i++) if (bits[i]) out.bytes[start + (i >> 3)]! |= 1 << (i & 7)
  out.length = start + bytes
}

export class ColumnChunkBuilder {
  private readonly nullable: boolean
  private readonly codec: WriteCodec
  private readonly pages: PageWriter
  private readonly statistics = new RunningStatistics()
  /** definition levels of every row of the chunk (1 = present); only for OPTIONAL columns */
  private readonly defined = new Growable(new Uint8Array(1024))
  /** PLAIN values of the page being filled */
  private readonly values = new ByteBuffer()
  /** booleans of the page being filled: packed only when the page is cut */
  private readonly booleans = new Growable(new Uint8Array(1024))
  private readonly scratch: ByteBuffer
  private dictionary: Dictionary | undefined
  private kind: PhysicalValues['kind'] | undefined
  private rows = 0
  private pageStartRow = 0
  private dataPageOffset = -1

  constructor(nullable: boolean, codec: WriteCodec, scratch: ByteBuffer) {
    this.nullable = nullable
    this.codec = codec
    this.pages = new PageWriter(codec)
    this.scratch = scratch
  }

  /** Appends a batch of rows. */
  add(physical: PhysicalColumn, rows: number): void {
    const { data } = physical
    this.kind ??= data.kind
    if (physical.defined) {
      this.defined.reserve(rows).set(physical.defined.subarray(0, rows), this.rows)
      this.defined.length += rows
    }
    this.statistics.addNulls(rows - physical.count)
    if (data.kind === 'string') {
      if (this.rows === 0)
        this.dictionary = { ids: new Map(), entries: [], indices: new Growable(new Int32Array(1024)) }
      if (this.dictionary && this.addToDictionary(this.dictionary, data.values)) {
        this.rows += rows
        return
      }
      if (this.dictionary) this.dictionaryToPlain()
      this.addPlainStrings(physical, data.values, rows)
    } else if (data.kind === 'boolean') {
      this.statistics.addBooleans(data.values)
      const bits = this.booleans.reserve(data.values.length)
      bits.set(data.values, this.booleans.length)
      this.booleans.length += data.values.length
      this.rows += rows
    } else {
      this.statistics.addNumbers(data.values)
      this.addFixed(physical, data, rows)
    }
  }

  /** Adds strings to the dictionary; false when it stops paying (then nothing was added). */
  private addToDictionary(dictionary: Dictionary, values: readonly string[]): boolean {
    const { ids, entries, indices } = dictionary
    const out = indices.reserve(values.length)
    const before = entries.length
    let index = indices.length
    for (const value of values) {
      let id = ids.get(value)
      if (id === undefined) {
        id = entries.length
        const seen = index + 1
        if (id >= MAX_DICTIONARY_ENTRIES || (seen >= DICTIONARY_PROBE && id > seen >> 1)) {
          // forget this batch's new entries; its values are written PLAIN with the rest
          for (const entry of entries.splice(before)) ids.delete(entry)
          return false
        }
        ids.set(value, id)
        entries.push(value)
      }
      out[index++] = id
    }
    indices.length = index
    return true
  }

  /** Rewrites the dictionary-encoded values so far as PLAIN pages and continues PLAIN. */
  private dictionaryToPlain(): void {
    const { entries, indices } = this.dictionary!
    this.dictionary = undefined
    const values = Array.from(indices.array.subarray(0, indices.length), (id) => entries[id]!)
    const rows = this.rows
    this.rows = 0
    const defined = this.nullable ? this.defined.array.subarray(0, rows) : undefined
    this.addPlainStrings({ data: { kind: 'string', values }, count: values.length, defined }, values, rows)
  }

  private addPlainStrings(physical: PhysicalColumn, values: readonly string[], rows: number): void {
    const { defined } = physical
    const first = this.rows
    let value = 0
    for (let row = 0; row < rows; row++) {
      if (!defined || defined[row]) {
        const text = values[value++]!
        const before = this.values.length
        this.values.utf8WithLength(text)
        this.statistics.addString(text, this.values.length - before - 4 === text.length)
      }
      if (this.values.length >= PAGE_BYTES) this.cutPage(first + row + 1)
    }
    this.rows = first + rows
  }

  private addFixed(physical: PhysicalColumn, data: PhysicalValues, rows: number): void {
    const width = plainWidth(data.kind)
    const { defined } = physical
    let row = 0
    let value = 0
    while (row < rows) {
      // the values that fit the page, and the row where they run out
      const room = Math.max(1, Math.ceil((PAGE_BYTES - this.values.length) / width))
      const firstValue = value
      let end = row
      if (!defined) {
        end = Math.min(rows, row + room)
        value += end - row
      } else {
        while (end < rows && value - firstValue < room) value += defined[end++]!
      }
      writeFixed(this.values, data, firstValue, value)
      row = end
      if (this.values.length >= PAGE_BYTES) this.cutPage(this.rows + row)
    }
    this.rows += rows
  }

  /** Levels of rows `[from, end)` as a version 1 page carries them: a 4-byte length, then RLE. */
  private writeLevels(out: ByteBuffer, from: number, end: number): void {
    if (!this.nullable) return
    const lengthAt = out.length
    out.int32(0)
    writeHybrid(out, this.defined.array, from, end, 1)
    out.int32At(lengthAt, out.length - lengthAt - 4)
  }

  /** Ends the PLAIN page being filled at row `end` (of the chunk). */
  private cutPage(end: number): void {
    const body = this.scratch
    body.reset()
    this.writeLevels(body, this.pageStartRow, end)
    if (this.kind === 'boolean') {
      writeBooleans(body, this.booleans.array.subarray(0, this.booleans.length))
      this.booleans.length = 0
    } else {
      body.reserve(this.values.length)
      body.bytes.set(this.values.written(), body.length)
      body.length += this.values.length
    }
    this.values.reset()
    this.dataPage(end - this.pageStartRow, 'PLAIN', body.written())
    this.pageStartRow = end
  }

  private dataPage(rows: number, encoding: Encoding, body: Uint8Array): void {
    const offset = this.pages.page(
      {
        type: 'DATA_PAGE',
        data_page_header: {
          num_values: rows,
          encoding,
          definition_level_encoding: 'RLE',
          repetition_level_encoding: 'RLE',
        },
      },
      body,
    )
    if (this.dataPageOffset < 0) this.dataPageOffset = offset
  }

  /** The dictionary page, then the pages of indices. */
  private writeDictionaryPages(dictionary: Dictionary): number {
    const { entries, indices } = dictionary
    const body = this.scratch
    body.reset()
    for (const entry of entries) body.utf8WithLength(entry)
    const offset = this.pages.page(
      { type: 'DICTIONARY_PAGE', dictionary_page_header: { num_values: entries.length, encoding: 'PLAIN' } },
      body.written(),
    )
    this.statistics.addStrings(entries)
    const bitWidth = bitWidthFor(entries.length - 1)
    const perPage = Math.max(8, Math.floor((PAGE_BYTES * 8) / Math.max(1, bitWidth)))
    let row = 0
    let value = 0
    while (row < this.rows) {
      const pageRow = row
      const pageValue = value
      while (row < this.rows && value - pageValue < perPage) {
        if (!this.nullable || this.defined.array[row]) value++
        row++
      }
      body.reset()
      this.writeLevels(body, pageRow, row)
      body.byte(bitWidth)
      writeHybrid(body, indices.array, pageValue, value, bitWidth)
      this.dataPage(row - pageRow, 'RLE_DICTIONARY', body.written())
    }
    return offset
  }

  /** The chunk's pages and metadata. Call once, after at least one row. */
  finish(name: string, type: ParquetType): EncodedChunk {
    let dictionaryPageOffset: bigint | undefined
    if (this.dictionary) dictionaryPageOffset = BigInt(this.writeDictionaryPages(this.dictionary))
    else if (this.pageStartRow < this.rows || this.dataPageOffset < 0) this.cutPage(this.rows)
    const encodings: Encoding[] = this.dictionary ? ['PLAIN', 'RLE', 'RLE_DICTIONARY'] : ['PLAIN', 'RLE']
    return {
      parts: this.pages.parts,
      byteLength: this.pages.compressed,
      meta: {
        type,
        encodings,
        path_in_schema: [name],
        codec: this.codec,
        num_values: BigInt(this.rows),
        total_uncompressed_size: BigInt(this.pages.uncompressed),
        total_compressed_size: BigInt(this.pages.compressed),
        data_page_offset: BigInt(this.dataPageOffset),
        dictionary_page_offset: dictionaryPageOffset,
        statistics: this.statistics.statistics(this.kind ?? 'int32'),
      },
    }
  }
}
