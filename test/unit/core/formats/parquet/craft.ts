/**
 * Parquet files made page by page, for the cases no writer makes on purpose: legacy nested shapes,
 * empty and all-null pages under every codec, headers with a field missing or a count that lies.
 */
import { brotliCompressSync } from 'node:zlib'
import type { CompressionCodec, Encoding, FileMetaData, PageHeader, ParquetType, SchemaElement } from 'hyparquet'
import { ByteWriter } from 'hyparquet-writer'
import { writePageHeader } from 'hyparquet-writer/src/datapage.js'
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js'
import { writeMetadata } from 'hyparquet-writer/src/metadata.js'
import { serializeTCompactProtocol } from 'hyparquet-writer/src/thrift.js'
import { compressPage } from '../../../../../src/core/formats/parquet/encode/codec.js'

/** A header as hyparquet types it, or as raw Thrift fields (`field_N`) to leave fields out or mistype them. */
export type CraftHeader = PageHeader | { raw: Record<string, unknown> }

export interface CraftPage {
  header: CraftHeader
  /** the page's bytes as stored */
  stored: Uint8Array
}

export interface CraftColumn {
  path: string[]
  type: ParquetType
  codec?: CompressionCodec
  pages: CraftPage[]
  /** the chunk's `num_values`; default: the data pages' value counts */
  numValues?: number
}

/** LZ4 as literals only: a valid block that any decoder must restore. */
function lz4Literals(input: Uint8Array): Uint8Array {
  const lengthBytes: number[] = []
  if (input.length >= 15) {
    let rest = input.length - 15
    for (; rest >= 255; rest -= 255) lengthBytes.push(255)
    lengthBytes.push(rest)
  }
  return Uint8Array.from([Math.min(input.length, 15) << 4, ...lengthBytes, ...input])
}

export function compress(codec: CompressionCodec, bytes: Uint8Array): Uint8Array {
  switch (codec) {
    case 'UNCOMPRESSED':
    case 'SNAPPY':
    case 'GZIP':
    case 'ZSTD':
      return compressPage(codec, bytes)
    case 'BROTLI':
      return new Uint8Array(brotliCompressSync(bytes))
    case 'LZ4_RAW':
      return lz4Literals(bytes)
    case 'LZ4': {
      const block = lz4Literals(bytes)
      const framed = new Uint8Array(8 + block.length)
      new DataView(framed.buffer).setUint32(0, bytes.length)
      new DataView(framed.buffer).setUint32(4, block.length)
      framed.set(block, 8)
      return framed
    }
    default:
      throw new Error(`no compressor for ${codec}`)
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** Levels in the RLE/bit-packed hybrid, without a length prefix. */
export function hybrid(levels: readonly number[], bitWidth: number): Uint8Array {
  const writer = new ByteWriter()
  if (levels.length > 0) writeRleBitPackedHybrid(writer, [...levels], bitWidth)
  return new Uint8Array(writer.getBytes())
}

function prefixed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length)
  new DataView(out.buffer).setUint32(0, bytes.length, true)
  out.set(bytes, 4)
  return out
}

export function plainInt32(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4)
  for (const [i, value] of values.entries()) new DataView(out.buffer).setInt32(i * 4, value, true)
  return out
}

interface Levels {
  values: number
  encoding?: Encoding
  /** definition levels and their maximum, or (version 1 pages) their encoded bytes as damage left them */
  def?: { levels: number[]; max: number }
  rep?: { levels: number[]; max: number }
  /** the values section, uncompressed */
  data: Uint8Array
  codec?: CompressionCodec
}

const bitWidth = (max: number) => 32 - Math.clz32(max)

/** A version 1 data page: levels (length-prefixed) and values, compressed together. */
export function v1Page({
  values,
  encoding = 'PLAIN',
  def,
  defBytes,
  rep,
  data,
  codec = 'UNCOMPRESSED',
}: Levels & { defBytes?: Uint8Array }): CraftPage {
  const levels = defBytes ?? (def ? hybrid(def.levels, bitWidth(def.max)) : undefined)
  const page = concat(
    rep ? prefixed(hybrid(rep.levels, bitWidth(rep.max))) : new Uint8Array(0),
    levels ? prefixed(levels) : new Uint8Array(0),
    data,
  )
  const stored = compress(codec, page)
  return {
    header: {
      type: 'DATA_PAGE',
      uncompressed_page_size: page.length,
      compressed_page_size: stored.length,
      data_page_header: {
        num_values: values,
        encoding,
        definition_level_encoding: 'RLE',
        repetition_level_encoding: 'RLE',
      },
    },
    stored,
  }
}

/**
 * A version 2 data page: levels uncompressed, then the values section compressed, or stored as no
 * bytes at all when `emptyBody` (what some writers do for an all-null page).
 */
export function v2Page({
  values,
  encoding = 'PLAIN',
  def,
  rep,
  data,
  codec = 'UNCOMPRESSED',
  emptyBody = false,
}: Levels & { emptyBody?: boolean }): CraftPage {
  const repBytes = rep ? hybrid(rep.levels, bitWidth(rep.max)) : new Uint8Array(0)
  const defBytes = def ? hybrid(def.levels, bitWidth(def.max)) : new Uint8Array(0)
  const body = emptyBody ? new Uint8Array(0) : compress(codec, data)
  const levels = repBytes.length + defBytes.length
  return {
    header: {
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: levels + data.length,
      compressed_page_size: levels + body.length,
      data_page_header_v2: {
        num_values: values,
        num_nulls: def ? def.levels.filter((level) => level < def.max).length : 0,
        num_rows: rep ? rep.levels.filter((level) => level === 0).length : values,
        encoding,
        definition_levels_byte_length: defBytes.length,
        repetition_levels_byte_length: repBytes.length,
        is_compressed: true,
      },
    },
    stored: concat(repBytes, defBytes, body),
  }
}

function headerBytes(header: CraftHeader): Uint8Array {
  const writer = new ByteWriter()
  if ('raw' in header) serializeTCompactProtocol(writer, header.raw)
  else writePageHeader(writer, header)
  return new Uint8Array(writer.getBytes())
}

/** The raw Thrift fields of a typed header, to edit before `craftParquet` writes them. */
export function rawHeader(page: CraftPage): Record<string, unknown> {
  const header = page.header as PageHeader
  const v2 = header.data_page_header_v2
  const v1 = header.data_page_header
  const encodings: Encoding[] = [
    'PLAIN',
    'GROUP_VAR_INT',
    'PLAIN_DICTIONARY',
    'RLE',
    'BIT_PACKED',
    'DELTA_BINARY_PACKED',
    'DELTA_LENGTH_BYTE_ARRAY',
    'DELTA_BYTE_ARRAY',
    'RLE_DICTIONARY',
    'BYTE_STREAM_SPLIT',
  ]
  return {
    field_1: ['DATA_PAGE', 'INDEX_PAGE', 'DICTIONARY_PAGE', 'DATA_PAGE_V2'].indexOf(header.type),
    field_2: header.uncompressed_page_size,
    field_3: header.compressed_page_size,
    field_5: v1 && {
      field_1: v1.num_values,
      field_2: encodings.indexOf(v1.encoding),
      field_3: 3,
      field_4: 3,
    },
    field_8: v2 && {
      field_1: v2.num_values,
      field_2: v2.num_nulls,
      field_3: v2.num_rows,
      field_4: encodings.indexOf(v2.encoding),
      field_5: v2.definition_levels_byte_length,
      field_6: v2.repetition_levels_byte_length,
    },
  }
}

/** A whole file: the schema (root first) and, per row group, its rows and each leaf's chunk. */
export function craftParquet(
  schema: SchemaElement[],
  groups: Array<{ rows: number; columns: CraftColumn[] }>,
): Uint8Array {
  const parts: Uint8Array[] = [new TextEncoder().encode('PAR1')]
  let offset = 4
  const rowGroups: FileMetaData['row_groups'] = groups.map(({ rows, columns }) => ({
    num_rows: BigInt(rows),
    total_byte_size: 0n,
    columns: columns.map((column) => {
      const start = offset
      const bytes = concat(...column.pages.flatMap((page) => [headerBytes(page.header), page.stored]))
      parts.push(bytes)
      offset += bytes.length
      const values = column.pages.reduce((sum, { header }) => {
        if ('raw' in header) {
          const sub = (header.raw.field_5 ?? header.raw.field_8) as Record<string, number> | undefined
          return sum + (sub?.field_1 ?? 0)
        }
        return sum + (header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values ?? 0)
      }, 0)
      return {
        file_offset: BigInt(start),
        meta_data: {
          type: column.type,
          encodings: ['PLAIN', 'RLE'],
          path_in_schema: column.path,
          codec: column.codec ?? 'UNCOMPRESSED',
          num_values: BigInt(column.numValues ?? values),
          total_uncompressed_size: BigInt(bytes.length),
          total_compressed_size: BigInt(bytes.length),
          data_page_offset: BigInt(start),
        },
      }
    }),
  }))
  const metadata: FileMetaData = {
    version: 2,
    schema,
    num_rows: BigInt(groups.reduce((sum, group) => sum + group.rows, 0)),
    row_groups: rowGroups,
    metadata_length: 0,
  }
  const writer = new ByteWriter()
  writeMetadata(writer, metadata)
  writer.appendBytes(new TextEncoder().encode('PAR1'))
  parts.push(new Uint8Array(writer.getBytes()))
  return concat(...parts)
}
